import { describe, expect, it } from 'vitest';
import { earlyStoppingPercentile } from './early-stopping.js';
import { mulberry32 } from './mulberry32.js';
import { errorOf } from '../test/testing/lpcv-errors.js';

/** 0, 1, ..., n - 1 in a scrambled order: the estimate is then the 0-based rank LoadGen reads, n - t. */
function scrambled(n: number): number[] {
  const rng = mulberry32(7);
  const xs = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [xs[i], xs[j]] = [xs[j], xs[i]];
  }
  return xs;
}

/*
 * Reference numbers from LoadGen itself: loadgen/early_stopping.cc and early_stopping.h of mlcommons/inference
 * (commit b66003e1), compiled unchanged with g++ -O2 beside a short driver that runs the SingleStream branch
 * of PerformanceSummary::EarlyStopping (loadgen/results.cc) on n queries and prints h_min + 1 and t (LoadGen
 * reports sorted[n - t]). Over a grid of percentiles {0.5, 0.75, 0.9, 0.95, 0.99, 0.999}, tolerances {0, 0.01,
 * 0.05}, confidences {0.9, 0.95, 0.99, 0.999} and every n from 1 to 3000 plus 5000, 10^4, 31623, 10^5, 2.5 10^5
 * and 10^6, this module and LoadGen agreed on every minimum and every t. (At confidence 0.5, never used by
 * LoadGen, which hard-codes 0.99, LoadGen's search range is too narrow and it departs from its own rule.)
 */
const LOADGEN: { percentile: number; confidence: number; tolerance: number; minQueries: number; t: [number, number][] }[] = [
  {
    percentile: 0.9,
    confidence: 0.99,
    tolerance: 0,
    minQueries: 64,
    t: [
      [64, 1],
      [65, 1],
      [100, 3],
      [128, 5],
      [200, 10],
      [500, 34],
      [1000, 78],
      [10_000, 930],
      [100_000, 9779],
    ],
  },
  {
    percentile: 0.99,
    confidence: 0.99,
    tolerance: 0,
    minQueries: 662,
    t: [
      [662, 1],
      [700, 1],
      [1000, 2],
      [10_000, 77],
      [100_000, 927],
    ],
  },
  { percentile: 0.999, confidence: 0.99, tolerance: 0, minQueries: 6636, t: [] },
  {
    percentile: 0.5,
    confidence: 0.99,
    tolerance: 0,
    minQueries: 11,
    t: [
      [20, 4],
      [50, 16],
      [100, 37],
    ],
  },
  { percentile: 0.9, confidence: 0.99, tolerance: 0.05, minQueries: 42, t: [[100, 6]] },
  { percentile: 0.9, confidence: 0.95, tolerance: 0, minQueries: 46, t: [[100, 4]] },
];

describe('earlyStoppingPercentile', () => {
  it('needs 64 queries for the 90th percentile at 0.99 confidence (hand-computed binomial tail)', () => {
    // One query over the percentile must still pass: P(B <= 1) = 0.9^(N-1) (0.9 + 0.1 N) < 0.01, B ~ Bin(N, 0.1).
    // Exact rationals: N = 63 gives 0.0104802 (fails), N = 64 gives 0.0095631 (passes). LoadGen prints "Need to
    // process at least 64 queries for early stopping." With 64 queries t = 1: the estimate is the largest sample.
    expect(earlyStoppingPercentile(scrambled(63))).toEqual({
      percentile: 0.9,
      confidence: 0.99,
      queries: 63,
      minQueries: 64,
      estimate: null,
      satisfied: false,
    });
    expect(earlyStoppingPercentile(scrambled(64))).toEqual({
      percentile: 0.9,
      confidence: 0.99,
      queries: 64,
      minQueries: 64,
      estimate: 63,
      satisfied: true,
    });
  });

  it('needs 662 queries for the 99th percentile (hand-computed binomial tail)', () => {
    // 0.99^(N-1) (0.99 + 0.01 N): N = 661 gives 0.0100010 (not below 0.01), N = 662 gives 0.0099140.
    expect(earlyStoppingPercentile([], { percentile: 0.99 }).minQueries).toBe(662);
  });

  it('reports the 3rd largest of 100 samples at the 90th percentile (hand-computed binomial tail)', () => {
    // B ~ Bin(100, 0.1): P(B <= 3) = 0.0078365 < 0.01, P(B <= 4) = 0.0237111 >= 0.01, so t = 3 and LoadGen
    // reports sorted[100 - 3] (0-based), the 3rd largest: 97 of 0..99 ("would discard 2 highest latency queries").
    const r = earlyStoppingPercentile(scrambled(100));
    expect(r.estimate).toBe(97);
    expect(r.satisfied).toBe(true);
  });

  it("agrees with LoadGen's own code on its minimum query counts and estimate ranks", () => {
    for (const c of LOADGEN) {
      const o = { percentile: c.percentile, confidence: c.confidence, tolerance: c.tolerance };
      const label = JSON.stringify(o);
      expect(earlyStoppingPercentile([], o).minQueries, label).toBe(c.minQueries);
      expect(earlyStoppingPercentile(scrambled(c.minQueries - 1), o).satisfied, label).toBe(false);
      for (const [n, t] of c.t) {
        const r = earlyStoppingPercentile(scrambled(n), o);
        expect(r.estimate, `${label} n=${n}`).toBe(n - t);
        expect(r).toMatchObject({ queries: n, minQueries: c.minQueries, satisfied: true });
      }
    }
  });

  it('handles 10^6 samples quickly and as LoadGen does', () => {
    // LoadGen (driver above): n = 10^6 gives t = 99302 at the 90th percentile, 9768 at the 99th. Normal check:
    // 10^5 - 2.326 * 300 = 99302.
    const xs = scrambled(1_000_000);
    const start = performance.now();
    const r90 = earlyStoppingPercentile(xs);
    const elapsed = performance.now() - start;
    expect(r90.estimate).toBe(1_000_000 - 99_302);
    expect(earlyStoppingPercentile(xs, { percentile: 0.99 }).estimate).toBe(1_000_000 - 9768);
    expect(elapsed).toBeLessThan(2000); // ~0.1 s here; the bound only catches a quadratic regression
  });

  it('keeps the input order, and ties are fine', () => {
    const xs = [...scrambled(200)].map((x) => Math.floor(x / 10)); // ten copies of each of 0..19
    const copy = [...xs];
    // n = 200: t = 10 (LoadGen), sorted[190] = 19.
    expect(earlyStoppingPercentile(xs).estimate).toBe(19);
    expect(xs).toEqual(copy);
  });

  it('is unsatisfied, not an error, with no samples', () => {
    expect(earlyStoppingPercentile([])).toMatchObject({ queries: 0, minQueries: 64, estimate: null, satisfied: false });
  });

  it('refuses bad samples and options', () => {
    expect(errorOf(() => earlyStoppingPercentile([1, Number.NaN])).code).toBe('LPCV_E_FORMULA_INPUT');
    expect(errorOf(() => earlyStoppingPercentile([-1])).code).toBe('LPCV_E_FORMULA_INPUT');
    expect(errorOf(() => earlyStoppingPercentile([1], { percentile: 90 })).code).toBe('LPCV_E_FORMULA_INPUT');
    expect(errorOf(() => earlyStoppingPercentile([1], { percentile: 0 })).code).toBe('LPCV_E_FORMULA_INPUT');
    expect(errorOf(() => earlyStoppingPercentile([1], { confidence: 1 })).code).toBe('LPCV_E_FORMULA_INPUT');
    expect(errorOf(() => earlyStoppingPercentile([1], { confidence: Number.NaN })).code).toBe('LPCV_E_FORMULA_INPUT');
    expect(errorOf(() => earlyStoppingPercentile([1], { tolerance: 0.9 })).code).toBe('LPCV_E_FORMULA_INPUT');
    expect(errorOf(() => earlyStoppingPercentile([1], { tolerance: -0.01 })).code).toBe('LPCV_E_FORMULA_INPUT');
  });
});
