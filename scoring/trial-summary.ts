/**
 * The between-trial summary of protocol v2: one figure per trial (a trial is a fresh inference process with its
 * own warm-up and timed runs), summarised by their median and a distribution-free interval over trials. Pure.
 *
 * Why over trials, and not over the pooled samples: a process runs at one of several speed modes for its whole
 * life (docs/benchmarks.md: two modes up to 50% apart, chosen per process), so the thousands of samples inside
 * one process are not independent draws of "the model's latency": they share that process's mode. An interval
 * built from them (latency-stats' within-run ci95) is narrow and wrong about the next run. The independent
 * units are the trials, so the interval counts trials: T of them give T independent figures.
 *
 * Why the median of the trial medians: each trial is summarised by its median (robust to the few slow samples a
 * trial always has), and the trials by their median again, so one trial caught in a slow mode or disturbed by a
 * neighbour moves the reported value by at most one rank, not by its size (a mean would carry it in full).
 *
 * Why an order-statistic interval: [x_(j), x_(T+1-j)] over the sorted trial figures covers the population median
 * of the trial figures (the median of what a fresh trial would give) with probability P(j <= B <= T - j),
 * B ~ Binomial(T, 1/2), whatever their distribution (skewed, two speed modes, ...), as long as it is continuous
 * and the trials independent. The ranks come from medianCi95Ranks (scoring/latency-stats.ts): the narrowest
 * symmetric pair reaching 95%, or [min, max] when no pair does, which happens below 6 trials. `coverage` is
 * that interval's exact coverage, so a record with few trials says how little its interval promises:
 *   - 3 trials: [min, max], coverage 1 - 2^-2 = 0.75 (one time in four the true median lies outside);
 *   - 5 trials: [min, max], coverage 1 - 2^-4 = 0.9375;
 *   - 7 trials: [min, max], coverage 1 - 2^-6 = 0.984375 (from 6 trials on the range exceeds 95%);
 *   - 10 trials: [x_(2), x_(9)], coverage 1 - 22/1024 = 0.978515625 (the range would cover 0.998).
 * With ties (a coarse clock) the closed interval covers at least that much.
 */
import { LpcvError } from '../errors/lpcv-error.js';
import { latencyStats, medianCi95Ranks } from './latency-stats.js';

export interface TrialInterval {
  /** Median of the per-trial figures (the mean of the two middle ones for an even count). */
  value: number;
  /** Order-statistic interval for the population median of the trial figures: [x_(lo), x_(hi)]. */
  ci95: [number, number];
  /** The interval's exact coverage, 1 - 2 P(B <= lo - 1), B ~ Binomial(count, 1/2); below 0.95 under 6 trials. */
  coverage: number;
  /** Number of trials. */
  count: number;
}

/** Median and between-trial interval of one figure per trial. LPCV_E_FORMULA_INPUT for an empty list or a non-finite value. */
export function acrossTrials(values: readonly number[]): TrialInterval {
  const n = values.length;
  if (n === 0) throw new LpcvError('LPCV_E_FORMULA_INPUT', 'no trials to summarise');
  for (let i = 0; i < n; i++) {
    const x = values[i];
    if (typeof x !== 'number' || !Number.isFinite(x)) {
      throw new LpcvError('LPCV_E_FORMULA_INPUT', `trial ${i}'s figure is ${String(x)}, not a finite number`);
    }
  }
  const sorted = Float64Array.from(values).sort();
  const mid = Math.floor(n / 2);
  const value = n % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  const ranks = medianCi95Ranks(n);
  return { value, ci95: [sorted[ranks.lo - 1], sorted[ranks.hi - 1]], coverage: ranks.coverage, count: n };
}

/** One trial's latency samples of the submission and of the reference, timed in the same process. */
export interface PairedTrialSamples {
  submissionMs: readonly number[];
  referenceMs: readonly number[];
}

/**
 * The submission's latency relative to the reference's: per trial, p50(submission) / p50(reference), both p50 as
 * latencyStats computes it (numpy's linear method), then acrossTrials of those ratios. The two models share each
 * trial's process, hence its speed mode, which the ratio cancels; the trials are the independent units as above.
 * LPCV_E_FORMULA_INPUT for no trials, a trial without samples, a sample that is not a finite number >= 0, or a
 * reference median of 0 (no ratio exists).
 */
export function relativeLatency(pairs: readonly PairedTrialSamples[]): TrialInterval & { perTrial: number[] } {
  if (pairs.length === 0) throw new LpcvError('LPCV_E_FORMULA_INPUT', 'no paired trials');
  const perTrial = pairs.map((pair, i) => {
    const sub = medianOf(pair.submissionMs, `trial ${i}'s submission`);
    const ref = medianOf(pair.referenceMs, `trial ${i}'s reference`);
    if (ref === 0) throw new LpcvError('LPCV_E_FORMULA_INPUT', `trial ${i}'s reference median is 0 ms: no ratio exists`);
    return sub / ref;
  });
  return { ...acrossTrials(perTrial), perTrial };
}

/** latencyStats' p50, with the samples' owner named when they are refused. */
function medianOf(samplesMs: readonly number[], owner: string): number {
  try {
    return latencyStats(samplesMs).p50;
  } catch (e) {
    if (e instanceof LpcvError) throw new LpcvError(e.code, `${owner}: ${e.message}`);
    throw e;
  }
}
