import { describe, expect, it } from 'vitest';
import {
  bestPerTeam,
  compareEntries,
  entryPerTeam,
  paretoFront,
  rankEntries,
  rankLabel,
  statisticallyTied,
  tieLatencyInterval,
  type RankableEntry,
} from './ranking.js';

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
    for (const input of [
      [a, b, c],
      [c, b, a],
      [b, a, c],
    ]) {
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

describe('entryPerTeam', () => {
  it("with 'latest' keeps each team's latest entry whatever its score, ties of time by the larger id", () => {
    const input = [
      entry('a1', 'A', 30, 1),
      entry('a2', 'A', 10, 2),
      entry('b2', 'B', 5, 7),
      entry('b1', 'B', 9, 7),
      entry('x', 'base', 1, 9, { baseline: true }),
    ];
    expect(
      entryPerTeam(input, 'latest')
        .map((e) => e.id)
        .sort(),
    ).toEqual(['a2', 'b2', 'x']);
    expect(
      entryPerTeam(input, 'best')
        .map((e) => e.id)
        .sort(),
    ).toEqual(['a1', 'b1', 'x']);
  });

  it("with 'selected' keeps the team's selected entry whatever its score, and its best until it selects one", () => {
    const input = [
      entry('a1', 'A', 30, 1),
      entry('a2', 'A', 10, 2),
      entry('a3', 'A', 20, 3, { qualified: false }),
      entry('b1', 'B', 9, 7),
      entry('b2', 'B', 5, 8),
      entry('x1', 'base', 1, 9, { baseline: true }),
      entry('x2', 'base', 0.5, 10, { baseline: true }),
    ];
    const kept = (selected: string[]): string[] =>
      entryPerTeam(input, 'selected', new Set(selected))
        .map((e) => e.id)
        .sort();
    expect(kept(['a2'])).toEqual(['a2', 'b1', 'x2']);
    // Even an entry that does not qualify stands when the team selected it: the choice is the team's.
    expect(kept(['a3', 'b2'])).toEqual(['a3', 'b2', 'x2']);
    expect(kept([])).toEqual(['a1', 'b1', 'x2']);
    // A selected id that is not on this board (no result yet, a failed run) leaves the team with its best.
    expect(kept(['a9'])).toEqual(['a1', 'b1', 'x2']);
    // Baselines select nothing: a baseline name keeps its latest entry.
    expect(kept(['x1'])).toEqual(['a1', 'b1', 'x2']);
    // The other rules ignore selections.
    expect(
      entryPerTeam(input, 'best', new Set(['a2']))
        .map((e) => e.id)
        .sort(),
    ).toEqual(['a1', 'b1', 'x2']);
  });

  it("with 'selected' and two selected ids of one team keeps the better of them, whatever the input order", () => {
    const input = [entry('a1', 'A', 30, 1), entry('a2', 'A', 10, 2), entry('a3', 'A', 20, 3)];
    for (const order of [input, [...input].reverse()]) expect(entryPerTeam(order, 'selected', new Set(['a2', 'a3'])).map((e) => e.id)).toEqual(['a3']);
  });
});

/** An entry with tie evidence: accuracy as correct/N, latency interval [low, high]. */
const measured = (id: string, score: number, correct: number, n: number | null, ci: [number, number]): RankableEntry =>
  entry(id, id.toUpperCase(), score, 1, { tie: { accuracy: n === null ? correct : correct / n, countBase: n, latencyCi95: ci } });

describe('statisticallyTied', () => {
  const ev = (accuracy: number, countBase: number | null, ci: [number, number]) => ({ accuracy, countBase, latencyCi95: ci });

  it('needs overlapping intervals and the same count of correct images', () => {
    expect(statisticallyTied(ev(7000 / 8000, 8000, [1, 2]), ev(7000 / 8000, 8000, [1.5, 3]))).toBe(true);
    // Touching intervals overlap (closed intervals).
    expect(statisticallyTied(ev(0.5, 10, [1, 2]), ev(0.5, 10, [2, 3]))).toBe(true);
    // Disjoint intervals: not tied, however equal the accuracies.
    expect(statisticallyTied(ev(0.5, 10, [1, 2]), ev(0.5, 10, [2.0001, 3]))).toBe(false);
    // One image apart on 8,000 is a different accuracy; float rounding of the same count is not.
    expect(statisticallyTied(ev(7000 / 8000, 8000, [1, 2]), ev(7001 / 8000, 8000, [1, 2]))).toBe(false);
    expect(statisticallyTied(ev(0.1 + 0.2, 10, [1, 2]), ev(0.3, 10, [1, 2]))).toBe(true);
  });

  it('compares metrics that are not a fraction of a count (mAP) for equality only, and refuses non-finite numbers', () => {
    expect(statisticallyTied(ev(0.4123, null, [1, 2]), ev(0.4123, null, [1, 2]))).toBe(true);
    expect(statisticallyTied(ev(0.4123, null, [1, 2]), ev(0.41231, null, [1, 2]))).toBe(false);
    expect(statisticallyTied(ev(0.5, 10, [1, Number.NaN]), ev(0.5, 10, [1, 2]))).toBe(false);
    expect(statisticallyTied(ev(0.5, 10, [1, 2]), ev(0.5, 10, [0, 1.5]))).toBe(statisticallyTied(ev(0.5, 10, [0, 1.5]), ev(0.5, 10, [1, 2])));
  });
});

describe("statisticallyTied by the scores' intervals", () => {
  const ev = (accuracy: number, ci: [number, number], score: [number, number] | null) => ({ accuracy, countBase: 8000, latencyCi95: ci, scoreCi95: score });

  it('ties two results whose score intervals overlap, whatever their accuracies', () => {
    // 0.90 / [0.20, 0.24] ms against 0.88 / [0.19, 0.22] ms: accuracy-per-time intervals [3750, 4500] and [4000, 4632].
    expect(statisticallyTied(ev(0.9, [0.2, 0.24], [3750, 4500]), ev(0.88, [0.19, 0.22], [4000, 4632]))).toBe(true);
    // Touching counts; apart does not, however equal the accuracies and the latency intervals.
    expect(statisticallyTied(ev(0.9, [1, 2], [10, 20]), ev(0.8, [5, 6], [20, 30]))).toBe(true);
    expect(statisticallyTied(ev(0.9, [1, 2], [10, 20]), ev(0.9, [1, 2], [20.001, 30]))).toBe(false);
    expect(statisticallyTied(ev(0.9, [1, 2], [10, Number.NaN]), ev(0.9, [1, 2], [10, 20]))).toBe(false);
  });

  it('falls back to the latency-and-accuracy rule when either result has no score interval', () => {
    // Equal accuracy, overlapping latency: tied by the old rule although one score interval is far from the other's position.
    expect(statisticallyTied(ev(0.9, [1, 2], null), ev(0.9, [1.5, 3], [1, 2]))).toBe(true);
    // Different accuracies: never tied by the old rule, even with overlapping latencies.
    expect(statisticallyTied(ev(0.9, [1, 2], [10, 20]), ev(0.8, [1, 2], null))).toBe(false);
  });
});

describe('rankEntries with statistical ties', () => {
  const shown = (entries: RankableEntry[]): Array<[string, number | null, string]> => rankEntries(entries).map((r) => [r.entry.id, r.rank, rankLabel(r)]);

  it('shows two tied entries with the same rank and the next one at its own position (1, =2, =2, 4)', () => {
    expect(
      shown([
        measured('top', 100, 900, 1000, [1, 1.1]),
        measured('p', 90, 850, 1000, [2, 2.2]),
        measured('q', 89, 850, 1000, [2.1, 2.3]),
        measured('last', 50, 850, 1000, [5, 6]),
      ]),
    ).toEqual([
      ['top', 1, '1'],
      ['p', 2, '=2'],
      ['q', 3, '=2'],
      ['last', 4, '4'],
    ]);
  });

  it('keeps the order when the accuracies differ by one image, even with overlapping intervals', () => {
    expect(shown([measured('a', 10, 851, 1000, [1, 2]), measured('b', 9, 850, 1000, [1, 2])])).toEqual([
      ['a', 1, '1'],
      ['b', 2, '2'],
    ]);
  });

  it('chains tie groups in rank order: A~B and B~C make one group although A and C are not tied', () => {
    const a = measured('a', 30, 500, 1000, [1, 2]);
    const b = measured('b', 20, 500, 1000, [1.9, 3]);
    const c = measured('c', 10, 500, 1000, [2.9, 4]);
    expect(statisticallyTied(a.tie!, c.tie!)).toBe(false);
    expect(shown([c, a, b])).toEqual([
      ['a', 1, '=1'],
      ['b', 2, '=1'],
      ['c', 3, '=1'],
    ]);
  });

  it('does not chain over a ranked entry that breaks the run, nor tie baselines, unqualified entries or entries without evidence', () => {
    const a = measured('a', 30, 500, 1000, [1, 2]);
    const breaker = measured('x', 20, 700, 1000, [1, 2]);
    const c = measured('c', 10, 500, 1000, [1, 2]);
    const base = { ...measured('base', 25, 500, 1000, [1, 2]), baseline: true };
    const bare = entry('bare', 'BARE', 5, 1);
    const unq = { ...measured('unq', 4, 500, 1000, [1, 2]), qualified: false };
    expect(shown([a, breaker, c, base, bare, unq])).toEqual([
      ['a', 1, '1'],
      ['base', null, '—'],
      ['x', 2, '2'],
      ['c', 3, '3'],
      ['bare', 4, '4'],
      ['unq', null, '—'],
    ]);
  });

  it('ties across a baseline standing between two tied participants (baselines take no rank)', () => {
    const a = measured('a', 30, 500, 1000, [1, 2]);
    const base = { ...measured('base', 25, 100, 1000, [9, 10]), baseline: true };
    const c = measured('c', 10, 500, 1000, [1.5, 2.5]);
    expect(shown([a, base, c])).toEqual([
      ['a', 1, '=1'],
      ['base', null, '—'],
      ['c', 2, '=1'],
    ]);
  });
});

describe('tieLatencyInterval: which latency interval the tie test compares', () => {
  it("with trials, the between-trial interval of the statistic the score used; else the median's (the rule before trials)", () => {
    const median: [number, number] = [0.2, 0.25];
    const mean: [number, number] = [0.6, 0.9];
    expect(tieLatencyInterval({ medianCi95: median, trials: true, statisticCi95: mean })).toEqual(mean);
    // A statistic without an interval (LoadGen's early-stopping p90), or a score that used none: the median's.
    expect(tieLatencyInterval({ medianCi95: median, trials: true, statisticCi95: null })).toEqual(median);
    // A result without trials keeps the median's within-run interval, whatever its score used.
    expect(tieLatencyInterval({ medianCi95: median, trials: false, statisticCi95: mean })).toEqual(median);
  });

  it("ties by the score's statistic: medians that overlap do not tie means that are apart, and the other way round", () => {
    // The case: by the mean, spiky (mean 0.7 ms) is slower than steady (0.35 ms), though its median is lower.
    const spiky = { medians: [0.18, 0.22] as [number, number], means: [0.6, 0.8] as [number, number] };
    const steady = { medians: [0.2, 0.3] as [number, number], means: [0.33, 0.37] as [number, number] };
    const ev = (r: typeof spiky, trials: boolean) => ({
      accuracy: 0.9,
      countBase: 1000,
      latencyCi95: tieLatencyInterval({ medianCi95: r.medians, trials, statisticCi95: r.means }),
    });
    expect(statisticallyTied(ev(spiky, true), ev(steady, true))).toBe(false);
    // Before trials, the same results were tied by their medians.
    expect(statisticallyTied(ev(spiky, false), ev(steady, false))).toBe(true);
    // Means that overlap tie, however far apart the medians.
    const a = { medians: [0.1, 0.11] as [number, number], means: [0.5, 0.6] as [number, number] };
    const b = { medians: [0.3, 0.31] as [number, number], means: [0.55, 0.65] as [number, number] };
    expect(rankEntries([entry('a', 'A', 2, 1, { tie: ev(a, true) }), entry('b', 'B', 1, 1, { tie: ev(b, true) })]).map(rankLabel)).toEqual(['=1', '=1']);
  });
});
