import type { LatencyStatistic } from '../../scoring/formulas/measure-names.js';
import { medianCi95Ranks } from '../../scoring/latency-stats.js';
import { acrossTrials } from '../../scoring/trial-summary.js';
import type { BetweenTrials, RecordLatency, ScoreStatistic } from '../result-record.js';

/**
 * The statistic of a record's latency its score used (the formula result's `statistic`), with its interval: what the
 * leaderboard and the status page show beside the score, and what the leaderboard's ties compare (docs/formulas.md,
 * "Which latency statistic"; docs/leaderboard.md). Built with the record (buildResultRecord), so that `lpcv score`,
 * the server and a re-score give the same.
 *
 * The interval is the one the record has for that statistic. With trials it is between trials (the trials are the
 * independent units: scoring/trial-summary.ts): latency.betweenTrials for the mean, p50 and p90, the same order
 * statistics over the per-trial figures for the p95 and p99, calibratedLatency's own for the calibrated latency.
 * Without trials (a record made before protocol v2, a target that runs once) only the p50 has one, the within-run
 * interval of the pooled samples. None exists for a mean or a p90 without trials, for min, max and std (pooled over
 * every run, not a per-trial figure), or for LoadGen's early-stopping p90, which is itself a confidence bound.
 * Null when the record lacks the statistic (the formula then gave no score).
 */
export function scoreStatistic(name: LatencyStatistic, latency: RecordLatency, calibrated: BetweenTrials | undefined): ScoreStatistic | null {
  const between = (value: number, b: Pick<BetweenTrials, 'ci95' | 'coverage'>): ScoreStatistic => ({
    name,
    value,
    ci95: [b.ci95[0], b.ci95[1]],
    coverage: b.coverage,
  });
  const bare = (value: number): ScoreStatistic => ({ name, value, ci95: null, coverage: null });
  switch (name) {
    case 'calibrated':
      return calibrated === undefined ? null : between(calibrated.value, calibrated);
    case 'p90EarlyStopping': {
      const v = latency.p90EarlyStopping;
      return v === null || v === undefined ? null : bare(v);
    }
    case 'mean':
    case 'p50':
    case 'p90': {
      const b = latency.betweenTrials?.[name];
      if (b !== undefined) return between(latency[name], b);
      if (name !== 'p50') return bare(latency[name]);
      const n = latency.count;
      return Number.isInteger(n) && n >= 1 ? between(latency.p50, { ci95: latency.ci95, coverage: medianCi95Ranks(n).coverage }) : bare(latency.p50);
    }
    case 'p95':
    case 'p99': {
      const trials = latency.trials ?? [];
      return trials.length > 0 ? between(latency[name], acrossTrials(trials.map((t) => t[name]))) : bare(latency[name]);
    }
    case 'min':
    case 'max':
    case 'std':
      return bare(latency[name]);
  }
}
