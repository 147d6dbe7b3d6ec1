import { describe, expect, it } from 'vitest';
import type { LeaderboardEntry } from './build-leaderboard.js';
import { parseSort, sortEntries } from './sort-entries.js';

/** The fields sorting reads; the rest of an entry does not matter to it. */
const entry = (id: string, rank: number | null, top1: number | null, latencyMs: number | null, qualified = true): LeaderboardEntry =>
  ({
    submission: id,
    rank,
    qualified,
    metrics: top1 === null ? {} : { top1 },
    statistic: null,
    latency: latencyMs === null ? null : { unit: 'ms', p50: latencyMs, ci95: [latencyMs, latencyMs], count: 1 },
    energy: null,
    score: top1,
    finishedAt: '2027-01-15T08:00:09.000Z',
  }) as LeaderboardEntry;

const track = { name: 'fashion', metrics: ['top1', 'top5'] };

describe('sortEntries', () => {
  const ranked = [entry('a', 1, 0.9, 2), entry('base', null, 0.95, 1), entry('b', 2, 0.8, null), entry('c', 3, 0.7, 3), entry('x', null, 0.99, 0.5, false)];
  const ids = (column: string, order?: string): string[] => sortEntries(ranked, parseSort(track, column, order)).map((e) => e.submission);

  it('keeps the rank order by default and reverses it on request, the entries that do not qualify last either way', () => {
    expect(ids('rank')).toEqual(['a', 'base', 'b', 'c', 'x']);
    expect(ids('rank', 'desc')).toEqual(['c', 'b', 'base', 'a', 'x']);
  });

  it('puts entries without a value last in either order, and never changes a rank', () => {
    expect(ids('latency')).toEqual(['base', 'a', 'c', 'b', 'x']);
    expect(ids('latency', 'desc')).toEqual(['c', 'a', 'base', 'b', 'x']);
    const sorted = sortEntries(ranked, parseSort(track, 'top1', undefined));
    expect(sorted.map((e) => [e.submission, e.rank])).toEqual([
      ['base', null],
      ['a', 1],
      ['b', 2],
      ['c', 3],
      ['x', null],
    ]);
  });

  it('starts each column at its better end, and refuses columns the track does not have', () => {
    expect(['rank', 'top1', 'top5', 'latency', 'energy', 'score', 'date'].map((c) => parseSort(track, c, undefined).order)).toEqual([
      'asc',
      'desc',
      'desc',
      'asc',
      'asc',
      'desc',
      'desc',
    ]);
    expect(() => parseSort(track, 'map', undefined)).toThrow('sort must be one of rank, top1, top5, latency, energy, score, date on track fashion, not "map"');
    expect(() => parseSort(track, 'top1', 'sideways')).toThrow('order must be asc or desc');
  });
});
