import type { LatencyStatistic } from '../../scoring/formulas/measure-names.js';
import { computeScore } from '../../scoring/formulas/registry.js';
import type { Measures, ParamValue } from '../../scoring/formulas/types.js';
import type { ScoreStatistic } from '../result-record.js';

/**
 * The score's 95% interval (docs/leaderboard.md, "Statistical ties"): the track's formula evaluated again with the
 * latency statistic it read set to each end of that statistic's interval (score-statistic.ts), everything else as
 * measured. Accuracy on the hidden split is exact (the same predictions give the same count), so the latency is the
 * score's one uncertain input, and the catalog's scores are monotone in it: the two ends bound the score. Null when
 * the statistic has no interval (LoadGen's early-stopping p90, a record without trials for a mean), or when the
 * formula gives no score at an end. An end past a latency budget counts with the score the formula gives there.
 */
export function scoreInterval(
  formula: string,
  version: number | undefined,
  measures: Measures,
  params: Readonly<Record<string, ParamValue>> | undefined,
  statistic: ScoreStatistic | null,
): [number, number] | null {
  if (statistic === null || statistic.ci95 === null) return null;
  const at = (ms: number): number | null => {
    if (!(Number.isFinite(ms) && ms > 0)) return null;
    try {
      const s = computeScore(formula, version, withStatistic(measures, statistic.name, ms), params);
      return s.value !== null && Number.isFinite(s.value) ? s.value : null;
    } catch {
      return null;
    }
  };
  const [a, b] = [at(statistic.ci95[0]), at(statistic.ci95[1])];
  if (a === null || b === null) return null;
  return [Math.min(a, b), Math.max(a, b)];
}

/** The measures with one latency statistic replaced by `ms`. */
function withStatistic(m: Measures, name: LatencyStatistic, ms: number): Measures {
  if (name === 'calibrated') return { ...m, calibratedLatencyMs: ms };
  if (m.latency === null) return m;
  return { ...m, latency: { ...m.latency, [name]: ms } };
}
