/**
 * MLPerf LoadGen's early-stopping percentile estimate for the single-stream scenario, written from LoadGen's
 * source (github.com/mlcommons/inference, read at commit b66003e1):
 *   - loadgen/results.cc, PerformanceSummary::EarlyStopping, case SingleStream: sort the latencies; the run needs
 *     at least h_min + 1 queries, h_min = find_min_passing(t = 1); then t grows from 2 while
 *     queries >= find_min_passing(t) + t, and the estimate is sorted[queries - t] (0-based), i.e. the t-th
 *     largest latency ("would discard t - 1 highest latency queries"). Confidence 0.99, tolerance 0; the
 *     percentile is TestSettings::single_stream_target_latency_percentile, 0.90 (loadgen/test_settings.h).
 *   - loadgen/early_stopping.cc, find_min_passing(t, p, d, c): the least h with odds(h, t, p, d) < 1 - c, where
 *     odds = BetaRegularized[p - d, h, 1 + t] = P(at most t of h + t queries exceed the (p - d)-quantile),
 *     i.e. P(B <= t) with B ~ Binomial(h + t, 1 - p + d).
 * What the estimate means: if the true (p - d)-quantile were below the reported latency L, at least t of the
 * queries would have had to exceed it by chance, and that has probability below 1 - c. So L is an upper bound
 * on the percentile at confidence c, and it never needs more queries than the minimum to exist.
 *
 * Where this differs in how, not in what: LoadGen finds h for each t by a binary search (with its own
 * hypergeometric-series incomplete beta, tolerance 2^-33) and walks t up one at a time. The odds fall as h grows,
 * so "queries >= h(t) + t" is the same as "P(Binomial(queries, 1 - p + d) <= t) < 1 - c" with the total fixed at
 * the number of queries, and that tail is increasing in t: t is the largest k >= 1 it holds for. That needs the
 * binomial tail of one n only, computed exactly here by walking pmf ratios out from the mode (weights relative to
 * the mode are at most 1, so nothing overflows; below 1e-300 of it they are dropped, they cannot move a tail
 * compared against 1 - c). The two agree on every case the tests compare against LoadGen's own code (confidences
 * 0.9 to 0.999); they could only part where a tail lies within rounding of 1 - c. At a confidence as low as 0.5,
 * which LoadGen never uses (it hard-codes 0.99), LoadGen's binary-search range for h is too narrow and its
 * numbers leave its own rule; this module keeps to the rule. One sort and O(sqrt(n)) binomial terms: 10^6
 * samples take about 0.1 s, nearly all of it the sort.
 */
import { LpcvError } from '../errors/lpcv-error.js';

export interface EarlyStoppingOptions {
  /** Target percentile as a fraction in (0, 1); LoadGen's single-stream default 0.90. */
  percentile?: number;
  /** Confidence in (0, 1); LoadGen's fixed 0.99. */
  confidence?: number;
  /** Tolerance d in [0, percentile): the bound is on the (percentile - d)-quantile. LoadGen's fixed 0. */
  tolerance?: number;
}

export interface EarlyStoppingEstimate {
  percentile: number;
  confidence: number;
  /** Number of samples (queries: one sample per query in single-stream). */
  queries: number;
  /** The fewest queries for which an estimate exists (LoadGen's "need to process at least ... queries"). */
  minQueries: number;
  /** The latency LoadGen would report, in the samples' unit; null when queries < minQueries. */
  estimate: number | null;
  satisfied: boolean;
}

/**
 * LoadGen's single-stream early-stopping estimate of the `percentile` latency. Every sample must be a finite
 * number >= 0 and the options in range (LPCV_E_FORMULA_INPUT otherwise); no samples is simply unsatisfied.
 */
export function earlyStoppingPercentile(samplesMs: readonly number[], o: EarlyStoppingOptions = {}): EarlyStoppingEstimate {
  const percentile = o.percentile ?? 0.9;
  const confidence = o.confidence ?? 0.99;
  const tolerance = o.tolerance ?? 0;
  if (!(percentile > 0 && percentile < 1)) throw new LpcvError('LPCV_E_FORMULA_INPUT', `early stopping: percentile ${percentile} is not in (0, 1)`);
  if (!(confidence > 0 && confidence < 1)) throw new LpcvError('LPCV_E_FORMULA_INPUT', `early stopping: confidence ${confidence} is not in (0, 1)`);
  if (!(tolerance >= 0 && tolerance < percentile)) {
    throw new LpcvError('LPCV_E_FORMULA_INPUT', `early stopping: tolerance ${tolerance} is not in [0, ${percentile})`);
  }
  const n = samplesMs.length;
  for (let i = 0; i < n; i++) {
    const x = samplesMs[i];
    if (typeof x !== 'number' || !Number.isFinite(x) || x < 0) {
      throw new LpcvError('LPCV_E_FORMULA_INPUT', `latency sample ${i} is ${String(x)}, not a finite number >= 0`);
    }
  }
  const over = 1 - (percentile - tolerance); // chance that one query exceeds the (p - d)-quantile
  const alpha = 1 - confidence;
  const minQueries = minQueriesFor(over, alpha);
  const base = { percentile, confidence, queries: n, minQueries };
  if (n < minQueries) return { ...base, estimate: null, satisfied: false };
  // results.cc starts from t = 1 (the minimum-queries rule guarantees it) and tries t = 2, 3, ...
  const t = Math.max(1, largestPassingOverCount(n, over, alpha));
  const sorted = Float64Array.from(samplesMs).sort();
  return { ...base, estimate: sorted[n - t], satisfied: true };
}

/**
 * h_min + 1 of results.cc: the least number of queries N for which one query over the percentile still passes,
 * P(Binomial(N, over) <= 1) = (1 - over)^(N - 1) (1 - over + N over) < alpha. That tail falls as N grows, so an
 * exponential then a binary search finds N; in log space, so p = 0.999999 (N in the millions) is as exact.
 */
function minQueriesFor(over: number, alpha: number): number {
  const logAlpha = Math.log(alpha);
  const passes = (N: number): boolean => (N - 1) * Math.log1p(-over) + Math.log(1 - over + N * over) < logAlpha;
  let hi = 2;
  while (!passes(hi)) hi *= 2;
  let lo = hi / 2; // fails (or is 1, whose tail is exactly 1)
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (passes(mid)) hi = mid;
    else lo = mid;
  }
  return hi;
}

/**
 * The largest k with P(B <= k) < alpha, B ~ Binomial(n, over); -1 when even P(B = 0) is not below alpha.
 * Weights relative to the mode (the pmf's largest term, so none exceeds 1): w(k - 1) = w(k) k / (n - k + 1)
 * (1 - over) / over downwards, w(k + 1) = w(k) (n - k) / (k + 1) over / (1 - over) upwards, each side stopped
 * where it falls below 1e-300.
 */
function largestPassingOverCount(n: number, over: number, alpha: number): number {
  const mode = Math.min(n, Math.floor((n + 1) * over));
  const below: number[] = []; // below[i] = w(mode - 1 - i)
  for (let k = mode, w = 1; k > 0; k--) {
    w = (w * k * (1 - over)) / ((n - k + 1) * over);
    if (w < 1e-300) break;
    below.push(w);
  }
  const above: number[] = []; // above[i] = w(mode + 1 + i)
  for (let k = mode, w = 1; k < n; k++) {
    w = (w * (n - k) * over) / ((k + 1) * (1 - over));
    if (w < 1e-300) break;
    above.push(w);
  }
  // Weights in increasing k from the first kept one; terms before it are negligible and count as 0.
  const first = mode - below.length;
  const weights = [...below.reverse(), 1, ...above];
  // Sum smallest first: from both ends towards the mode.
  let total = 0;
  for (let i = 0; i < below.length; i++) total += weights[i];
  for (let i = weights.length - 1; i > below.length; i--) total += weights[i];
  total += 1;
  let cdf = 0;
  let k = first - 1;
  for (let i = 0; i < weights.length; i++) {
    cdf += weights[i] / total; // P(B <= first + i)
    if (!(cdf < alpha)) break;
    k = first + i;
  }
  return k;
}
