import { describe, expect, it } from 'vitest';
import type { Leaderboard, LeaderboardEntry } from '../leaderboard/index.js';
import { describeMoves, rankDiff } from './rank-diff.js';

const entry = (submission: string, team: string, rank: number | null, score: number | null, extra: Partial<LeaderboardEntry> = {}): LeaderboardEntry =>
  ({ submission, team, baseline: null, rank, shownRank: rank, tied: false, score, qualified: rank !== null, formula: 'f@1', ...extra }) as LeaderboardEntry;
const board = (entries: LeaderboardEntry[]): Leaderboard => ({ board: 'private', entries }) as Leaderboard;

describe('rankDiff', () => {
  it('pairs entries by submission, in the new order, then the ones that left; a change of the shown tie counts as a move', () => {
    const before = board([entry('a', 'A', 1, 9), entry('b', 'B', 2, 8), entry('c', 'C', 3, 7), entry('gone', 'G', 4, 1)]);
    const after = board([entry('b', 'B', 1, 5), entry('a', 'A', 2, 4, { shownRank: 1, tied: true }), entry('c', 'C', 3, 3), entry('new', 'N', null, null)]);
    const diff = rankDiff(before, after);
    expect(diff.map((c) => [c.submission, c.from?.shown ?? null, c.to?.shown ?? null, c.moved])).toEqual([
      ['b', '2', '1', true],
      ['a', '1', '=1', true],
      ['c', '3', '3', false],
      ['new', null, '—', true],
      ['gone', '4', null, true],
    ]);
    expect(diff.find((c) => c.submission === 'c')).toMatchObject({ from: { score: 7 }, to: { score: 3 } });
    expect(describeMoves(diff)).toEqual([
      'private board: B (b): 2 -> 1',
      'private board: A (a): 1 -> =1',
      'private board: N (new): absent -> —',
      'private board: G (gone): 4 -> absent',
    ]);
  });
});
