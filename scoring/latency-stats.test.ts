import { describe, expect, it } from 'vitest';
import { latencyStats, medianCi95Ranks } from './latency-stats.js';
import { errorOf } from '../test/testing/lpcv-errors.js';

/** Exact P(B <= m), B ~ Binomial(n, 1/2), as a numerator over 2^n, with BigInt (independent of the code). */
function exactCdfNumerator(n: number, m: number): bigint {
  let c = 1n; // C(n, 0)
  let s = 0n;
  for (let i = 0; i <= m; i++) {
    s += c;
    c = (c * BigInt(n - i)) / BigInt(i + 1);
  }
  return s;
}

describe('medianCi95Ranks', () => {
  it('gives ranks 40 and 61 for n = 100', () => {
    // Binomial(100, 1/2): P(B <= 39) = 0.0176001, P(B <= 40) = 0.0284440 (Conover's table A3 gives the same
    // ranks). j = 40 is the largest rank with P(B <= j - 1) <= 0.025; hi = 101 - 40 = 61.
    const r = medianCi95Ranks(100);
    expect(r).toMatchObject({ lo: 40, hi: 61 });
    expect(r.coverage).toBeCloseTo(1 - 2 * 0.017600100108852407, 12); // 0.9648
  });

  it('gives ranks 6 and 15 for n = 20 and 2 and 9 for n = 10', () => {
    // n = 20: P(B <= 5) = 21700/2^20 = 0.020695, P(B <= 6) = 60460/2^20 = 0.057659 -> j = 6.
    expect(medianCi95Ranks(20)).toMatchObject({ lo: 6, hi: 15 });
    expect(medianCi95Ranks(20).coverage).toBeCloseTo(1 - (2 * 21700) / 2 ** 20, 12);
    // n = 10: P(B <= 1) = 11/1024, P(B <= 2) = 56/1024 > 0.025 -> j = 2, coverage 1 - 22/1024.
    expect(medianCi95Ranks(10)).toEqual({ lo: 2, hi: 9, coverage: 1 - 22 / 1024 });
  });

  it('falls back to the sample range below n = 6 and reports the real coverage', () => {
    // n = 6: P(B = 0) = 1/64 <= 0.025, coverage 1 - 2/64 = 0.96875. n = 5: 1/32 > 0.025, range covers 1 - 2/32.
    expect(medianCi95Ranks(6)).toEqual({ lo: 1, hi: 6, coverage: 1 - 2 / 64 });
    expect(medianCi95Ranks(5)).toEqual({ lo: 1, hi: 5, coverage: 1 - 2 / 32 });
    expect(medianCi95Ranks(2)).toEqual({ lo: 1, hi: 2, coverage: 0.5 });
    expect(medianCi95Ranks(1)).toEqual({ lo: 1, hi: 1, coverage: 0 });
  });

  it('matches an exact BigInt binomial for every n from 6 to 400', () => {
    for (let n = 6; n <= 400; n++) {
      const { lo, hi, coverage } = medianCi95Ranks(n);
      const pow = 2n ** BigInt(n);
      // lo qualifies: 40 * P(B <= lo - 1) * 2^n <= 2^n, i.e. P(B <= lo - 1) <= 1/40; lo + 1 does not.
      expect(40n * exactCdfNumerator(n, lo - 1) <= pow, `n=${n} lo=${lo}`).toBe(true);
      expect(40n * exactCdfNumerator(n, lo) > pow, `n=${n} lo+1=${lo + 1}`).toBe(true);
      expect(hi).toBe(n + 1 - lo);
      expect(coverage).toBeGreaterThanOrEqual(0.95);
    }
  });

  it('works for n = 1e6 near the normal approximation', () => {
    // Normal approximation with continuity correction: (j - 0.5 - 500000) / 500 <= -1.959964 -> j ~ 499020.
    const r = medianCi95Ranks(1_000_000);
    expect(Math.abs(r.lo - 499_020)).toBeLessThanOrEqual(1);
    expect(r.hi).toBe(1_000_001 - r.lo);
    expect(r.coverage).toBeGreaterThanOrEqual(0.95);
    expect(r.coverage).toBeLessThan(0.9503);
  });

  it('rejects a count that is not a positive integer', () => {
    expect(errorOf(() => medianCi95Ranks(0)).code).toBe('LPCV_E_FORMULA_INPUT');
    expect(errorOf(() => medianCi95Ranks(2.5)).code).toBe('LPCV_E_FORMULA_INPUT');
  });
});

describe('latencyStats', () => {
  it('matches numpy on ten samples', () => {
    // sorted: 10.1 10.4 10.8 10.9 11.0 11.3 11.7 12.0 12.5 30.2, sum 130.9
    // numpy: mean 13.09, std(ddof=1) 6.055383279914383,
    //   percentile([50, 90, 95, 99]) = 11.15, 14.269999999999994, 22.23499999999998, 28.607000000000003
    //   by hand: p50 h = 4.5 -> 11.0 + .5*.3 = 11.15; p90 h = 8.1 -> 12.5 + .1*17.7 = 14.27;
    //            p95 h = 8.55 -> 12.5 + .55*17.7 = 22.235; p99 h = 8.91 -> 12.5 + .91*17.7 = 28.607
    // ci95: ranks 2 and 9 for n = 10 -> [10.4, 12.5]
    const s = latencyStats([12.5, 10.1, 11.0, 30.2, 10.8, 11.3, 10.9, 12.0, 10.4, 11.7]);
    expect(s.unit).toBe('ms');
    expect(s.count).toBe(10);
    expect(s.mean).toBeCloseTo(13.09, 12);
    expect(s.std).toBeCloseTo(6.055383279914383, 12);
    expect(s.min).toBe(10.1);
    expect(s.max).toBe(30.2);
    expect(s.p50).toBeCloseTo(11.15, 12);
    expect(s.p90).toBeCloseTo(14.27, 12);
    expect(s.p95).toBeCloseTo(22.235, 12);
    expect(s.p99).toBeCloseTo(28.607, 12);
    expect(s.ci95).toEqual([10.4, 12.5]);
  });

  it('matches numpy on 1 2 3 4', () => {
    // mean 2.5; squared deviations 2.25 + .25 + .25 + 2.25 = 5, std = sqrt(5/3) = 1.2909944487358056
    // percentiles: h = 1.5 -> 2.5; h = 2.7 -> 3.7; h = 2.85 -> 3.85; h = 2.97 -> 3.97; n < 6 -> ci95 = [min, max]
    const s = latencyStats([3, 1, 2, 4]);
    expect(s.std).toBeCloseTo(Math.sqrt(5 / 3), 15);
    expect([s.p50, s.p90, s.p95, s.p99]).toEqual([2.5, 3.7, 3.8499999999999996, 3.9699999999999998]);
    expect(s.ci95).toEqual([1, 4]);
  });

  it('gives std 0 and every percentile equal to the sample for one sample', () => {
    const s = latencyStats([7.25]);
    expect(s).toEqual({
      unit: 'ms',
      count: 1,
      mean: 7.25,
      std: 0,
      min: 7.25,
      max: 7.25,
      p50: 7.25,
      p90: 7.25,
      p95: 7.25,
      p99: 7.25,
      ci95: [7.25, 7.25],
    });
  });

  it('uses the order statistics 40 and 61 as the interval for 100 samples', () => {
    // samples 1..100 shuffled: x_(r) = r
    const xs = Array.from({ length: 100 }, (_, i) => ((i * 37) % 100) + 1);
    const s = latencyStats(xs);
    expect(s.ci95).toEqual([40, 61]);
    expect(s.p50).toBe(50.5); // h = 49.5 -> 50 + .5 * 1
    expect(s.mean).toBe(50.5);
  });

  it('rejects empty input, NaN, infinities and negative samples', () => {
    expect(errorOf(() => latencyStats([])).code).toBe('LPCV_E_FORMULA_INPUT');
    expect(errorOf(() => latencyStats([1, NaN])).code).toBe('LPCV_E_FORMULA_INPUT');
    expect(errorOf(() => latencyStats([1, Infinity])).code).toBe('LPCV_E_FORMULA_INPUT');
    expect(errorOf(() => latencyStats([1, -0.5])).code).toBe('LPCV_E_FORMULA_INPUT');
  });

  it('handles a million samples', () => {
    const xs = Array.from({ length: 1_000_000 }, (_, i) => 5 + (i % 1000) / 1000);
    const s = latencyStats(xs);
    expect(s.count).toBe(1_000_000);
    expect(s.mean).toBeCloseTo(5 + 0.4995, 10); // mean of 0, .001, ..., .999 is .4995
    expect(s.ci95[0]).toBeLessThanOrEqual(s.p50);
    expect(s.ci95[1]).toBeGreaterThanOrEqual(s.p50);
  });
});
