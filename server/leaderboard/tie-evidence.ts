/**
 * What the statistical tie test (scoring/ranking.ts) compares of one result: the score's interval where the record
 * has one; else the leaderboard's accuracy with its resolution and the latency interval tieLatencyInterval picks
 * (docs/leaderboard.md, "Statistical ties").
 */
import type { ResultRecord } from '../../harness/result-record.js';
import { tieLatencyInterval, type TieEvidence } from '../../scoring/ranking.js';

/** Count-based accuracy metrics: a number of correct images over the split's N (resolution 1/N). */
const COUNT_METRICS: ReadonlySet<string> = new Set(['top1', 'top5']);

/** The tie evidence of a stored result for the board's metric; null (never tied) without that accuracy or a latency. */
export function tieEvidence(record: ResultRecord, metric: string): TieEvidence | null {
  const accuracy = record.accuracy[metric];
  if (accuracy === undefined || record.latency === null) return null;
  return {
    accuracy,
    countBase: COUNT_METRICS.has(metric) ? record.protocol.accuracyImages : null,
    latencyCi95: tieLatencyInterval({
      medianCi95: record.latency.ci95,
      trials: (record.latency.trials?.length ?? 0) > 0,
      statisticCi95: record.score.statistic?.ci95 ?? null,
    }),
    ...(record.score.ci95 ? { scoreCi95: record.score.ci95 } : {}),
  };
}
