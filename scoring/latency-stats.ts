/**
 * Summary statistics of latency samples (milliseconds): mean, sample standard deviation, percentiles and a
 * distribution-free 95% confidence interval for the median. Pure functions.
 */
import { LpcvError } from '../errors/lpcv-error.js';

export interface LatencyStats {
  unit: 'ms';
  count: number;
  mean: number;
  /** Sample standard deviation (divisor n - 1); 0 for a single sample. */
  std: number;
  min: number;
  max: number;
  p50: number;
  p90: number;
  p95: number;
  p99: number;
  /** [x_(lo), x_(hi)] with the ranks of medianCi95Ranks(count); [min, max] when count < 6 (coverage < 95%). */
  ci95: [number, number];
}

export interface MedianCiRanks {
  /** 1-based rank of the lower bound in the sorted samples. */
  lo: number;
  /** 1-based rank of the upper bound; always count + 1 - lo. */
  hi: number;
  /** P(x_(lo) <= median < x_(hi)) for a continuous distribution: P(lo <= B <= hi - 1), B ~ Binomial(n, 1/2). */
  coverage: number;
}

/**
 * Ranks of the distribution-free 95% confidence interval for the median (Conover, Practical Nonparametric
 * Statistics, 3rd ed., sec. 3.2; Hahn & Meeker, Statistical Intervals, ch. 5). The interval [x_(j), x_(n+1-j)]
 * covers the population median with probability P(j <= B <= n - j), B ~ Binomial(n, 1/2), for any continuous
 * distribution. j is the largest rank whose coverage is still >= 0.95 (the narrowest symmetric interval).
 *
 * The binomial is exact, not a normal approximation: pmf ratios p(i-1)/p(i) = i / (n - i + 1) are walked down
 * from the centre and normalised by their sum, so nothing overflows for n = 1e6 (tail terms below 1e-300 are
 * dropped: they cannot move a 2.5% tail). For n < 6 no symmetric interval reaches 95%: the ranks are then 1 and
 * n (the sample range) and `coverage` says how much it really covers (1 - 2^(1-n); 0 for n = 1).
 */
export function medianCi95Ranks(n: number): MedianCiRanks {
  if (!Number.isInteger(n) || n < 1) {
    throw new LpcvError('LPCV_E_FORMULA_INPUT', `the median interval needs an integer sample count >= 1, got ${n}`);
  }
  const half = Math.floor(n / 2);
  // w[i] = p(i) / p(half) for i = 0..half, zero where it underflows.
  const w = new Float64Array(half + 1);
  w[half] = 1;
  let cut = 0; // w[i] is 0 below `cut`
  for (let i = half; i > 0; i--) {
    const next = (w[i] * i) / (n - i + 1);
    if (next < 1e-300) {
      cut = i;
      break;
    }
    w[i - 1] = next;
  }
  // Sum smallest first. The whole pmf is symmetric: twice the lower half, minus the centre once when n is even.
  let lowerHalf = 0;
  for (let i = cut; i <= half; i++) lowerHalf += w[i];
  const total = 2 * lowerHalf - (n % 2 === 0 ? w[half] : 0);
  // Largest j with P(B <= j - 1) <= 0.025, i.e. both tails together at most 5%; j = 1 when none is.
  let j = 1;
  let tail = w[0] / total; // P(B <= j - 1) for the chosen j
  let cdf = 0;
  for (let i = 0; i < half; i++) {
    cdf += w[i] / total; // P(B <= i)
    if (cdf > 0.025) break;
    j = i + 1;
    tail = cdf;
  }
  return { lo: j, hi: n + 1 - j, coverage: Math.max(0, 1 - 2 * tail) };
}

/**
 * Percentile by linear interpolation between the closest ranks, numpy's default method='linear' (Hyndman &
 * Fan type 7): virtual index h = (n - 1) * q / 100 into the ascending samples, result
 * x[floor(h)] + (h - floor(h)) * (x[floor(h) + 1] - x[floor(h)]), written as numpy's _lerp writes it.
 */
function percentileOfSorted(sorted: Float64Array, q: number): number {
  const h = (sorted.length - 1) * (q / 100);
  const below = Math.floor(h);
  if (below >= sorted.length - 1) return sorted[sorted.length - 1];
  const t = h - below;
  const a = sorted[below];
  const b = sorted[below + 1];
  const diff = b - a;
  // numpy interpolates from the nearer end, which keeps the result inside [a, b].
  return t >= 0.5 ? b - diff * (1 - t) : a + diff * t;
}

/**
 * Statistics of latency samples in milliseconds. Every sample must be a finite number >= 0
 * (LPCV_E_FORMULA_INPUT otherwise); an empty list is LPCV_E_FORMULA_INPUT.
 */
export function latencyStats(samplesMs: readonly number[]): LatencyStats {
  const n = samplesMs.length;
  if (n === 0) throw new LpcvError('LPCV_E_FORMULA_INPUT', 'no latency samples');
  for (let i = 0; i < n; i++) {
    const x = samplesMs[i];
    if (typeof x !== 'number' || !Number.isFinite(x) || x < 0) {
      throw new LpcvError('LPCV_E_FORMULA_INPUT', `latency sample ${i} is ${String(x)}, not a finite number >= 0`);
    }
  }
  const sorted = Float64Array.from(samplesMs).sort();
  // Compensated sums (Neumaier): a million samples lose no digit that matters.
  const mean = sum(sorted) / n;
  const std = n === 1 ? 0 : Math.sqrt(sumSquaredDeviations(sorted, mean) / (n - 1));
  const ranks = medianCi95Ranks(n);
  return {
    unit: 'ms',
    count: n,
    mean,
    std,
    min: sorted[0],
    max: sorted[n - 1],
    p50: percentileOfSorted(sorted, 50),
    p90: percentileOfSorted(sorted, 90),
    p95: percentileOfSorted(sorted, 95),
    p99: percentileOfSorted(sorted, 99),
    ci95: [sorted[ranks.lo - 1], sorted[ranks.hi - 1]],
  };
}

/** Neumaier-compensated sum of xs. */
function sum(xs: Float64Array): number {
  let s = 0;
  let c = 0;
  for (const x of xs) {
    const t = s + x;
    c += Math.abs(s) >= Math.abs(x) ? s - t + x : x - t + s;
    s = t;
  }
  return s + c;
}

/** Compensated sum of squared deviations from `center`. */
function sumSquaredDeviations(xs: Float64Array, center: number): number {
  let s = 0;
  let c = 0;
  for (const x of xs) {
    const d = (x - center) * (x - center);
    const t = s + d;
    c += s >= d ? s - t + d : d - t + s;
    s = t;
  }
  return s + c;
}
