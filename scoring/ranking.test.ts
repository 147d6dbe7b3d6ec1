import { describe, expect, it } from 'vitest';
import { bestPerTeam, compareEntries, paretoFront, rankEntries, type RankableEntry } from './ranking.js';

const entry = (id: string, team: string, score: number | null, submittedAt: number, extra: Partial<RankableEntry> = {}): RankableEntry => ({
  id,
  team,
  baseline: false,
  score,
  qualified: score !== null,
  submittedAt,
  ...extra,
});

describe('bestPerTeam', () => {
  it("keeps each team's highest score, the earlier submission on a tie", () => {
    const kept = bestPerTeam([entry('a1', 'A', 10, 1), entry('a2', 'A', 30, 2), entry('a3', 'A', 30, 3), entry('b1', 'B', 5, 1)]);
    expect(kept.map((e) => e.id).sort()).toEqual(['a2', 'b1']);
  });

  it('prefers a qualified entry to a higher score that does not qualify', () => {
    const kept = bestPerTeam([entry('a1', 'A', 99, 1, { qualified: false }), entry('a2', 'A', 1, 2)]);
    expect(kept.map((e) => e.id)).toEqual(['a2']);
  });

  it("keeps a baseline's latest entry, whatever its score, and never merges a baseline with a team of its name", () => {
    const kept = bestPerTeam([
      entry('x1', 'hardnet', 50, 1, { baseline: true }),
      entry('x2', 'hardnet', 40, 2, { baseline: true }),
      entry('t1', 'hardnet', 10, 1),
    ]);
    expect(kept.map((e) => e.id).sort()).toEqual(['t1', 'x2']);
  });
});

describe('rankEntries', () => {
  it('orders by score, ranks participants only, and puts unqualified or unscored entries last without a rank', () => {
    const ranked = rankEntries([
      entry('slow', 'C', 1, 1),
      entry('none', 'D', null, 1),
      entry('base', 'resnet', 5, 1, { baseline: true }),
      entry('over-budget', 'E', 100, 1, { qualified: false }),
      entry('best', 'A', 9, 1),
      entry('mid', 'B', 3, 1),
    ]);
    expect(ranked.map((r) => [r.entry.id, r.rank])).toEqual([
      ['best', 1],
      ['base', null],
      ['mid', 2],
      ['slow', 3],
      ['none', null],
      ['over-budget', null],
    ]);
  });

  it('breaks a tie of equal scores by the earlier submission, then by id, whatever the input order', () => {
    const a = entry('zz', 'A', 7, 100);
    const b = entry('aa', 'B', 7, 200);
    const c = entry('mm', 'C', 7, 100);
    for (const input of [[a, b, c], [c, b, a], [b, a, c]]) {
      expect(rankEntries(input).map((r) => r.entry.id)).toEqual(['mm', 'zz', 'aa']);
    }
    expect(compareEntries(a, a)).toBe(0);
  });
});

describe('paretoFront', () => {
  it('keeps the points nothing is both faster and more accurate than', () => {
    const front = paretoFront([
      { id: 'fast-poor', latencyMs: 0.1, accuracy: 0.8 },
      { id: 'slow-good', latencyMs: 1, accuracy: 0.92 },
      { id: 'mid', latencyMs: 0.5, accuracy: 0.9 },
      { id: 'dominated', latencyMs: 0.6, accuracy: 0.85 },
      { id: 'same-speed-worse', latencyMs: 0.1, accuracy: 0.7 },
    ]);
    expect([...front].sort()).toEqual(['fast-poor', 'mid', 'slow-good']);
  });

  it('keeps both of two identical points and drops points without a finite coordinate', () => {
    const front = paretoFront([
      { id: 'a', latencyMs: 1, accuracy: 0.5 },
      { id: 'b', latencyMs: 1, accuracy: 0.5 },
      { id: 'nan', latencyMs: Number.NaN, accuracy: 0.99 },
      { id: 'inf', latencyMs: 0.001, accuracy: Number.POSITIVE_INFINITY },
    ]);
    expect([...front].sort()).toEqual(['a', 'b']);
  });
});
