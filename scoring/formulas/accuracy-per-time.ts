/**
 * accuracy-per-time v1: LPCVC 2023's published rule, "accuracy divided by the average inference time".
 *
 * The `latency` parameter lets a track divide by another statistic of the latency (the median, the p90, LoadGen's
 * early-stopping p90, the calibrated latency); its default, the mean, is the published rule, so that every score
 * computed before the parameter existed is computed again to the same number.
 */
import { LpcvError } from '../../errors/lpcv-error.js';
import { latencyMeasureName, type LatencyStatistic } from './measure-names.js';
import type { Formula, FormulaResult, Measures, ParamValue } from './types.js';

const NAME = 'accuracy-per-time';
const VERSION = 1;
const STATISTICS = ['mean', 'p50', 'p90', 'p90EarlyStopping', 'calibrated'] as const satisfies readonly LatencyStatistic[];
type Statistic = (typeof STATISTICS)[number];

function statisticOf(params: Readonly<Record<string, ParamValue>>): Statistic {
  // Absent only when compute is called without resolveParams (its default is then the published mean).
  const s = params.latency ?? 'mean';
  if (typeof s !== 'string' || !(STATISTICS as readonly string[]).includes(s)) {
    throw new LpcvError('LPCV_E_FORMULA_INPUT', `${NAME} v${VERSION}: parameter 'latency' must be one of ${STATISTICS.join(', ')}, got '${String(s)}'`, {
      param: 'latency',
    });
  }
  return s as Statistic;
}

export const accuracyPerTimeV1: Formula = Object.freeze({
  name: NAME,
  version: VERSION,
  title: 'Accuracy divided by the inference time per image (1/s): the mean time unless the track names another statistic',
  description:
    'score = A / (t / 1000), where A is the accuracy metric named by the parameter `accuracy` (a fraction in ' +
    '[0, 1]) and t the per-image latency statistic named by `latency` in milliseconds (default mean, the published ' +
    "rule; p50, p90, p90EarlyStopping: LoadGen's early-stopping p90 estimate; calibrated: relative latency x the " +
    "track's reference latency), so the unit is 1/s. No score without that statistic (no latency measured, too few " +
    'runs for the early-stopping estimate, no reference latency fixed in the track) or with a time of 0.',
  source:
    'LPCVC 2023 (segmentation track): "accuracy divided by the average inference time", accuracy = mean Dice. ' +
    'The 2020 FPGA track combined accuracy and time by a formula that is not published; this one stands in. ' +
    "The 2023 award condition (beat the sample solution's accuracy and time) is not part of this formula. " +
    "The `latency` parameter is the harness's: its default (mean) is the published rule.",
  params: Object.freeze({
    accuracy: { description: 'name of the accuracy metric in the measures (e.g. top1, map, mdice)', default: 'top1' },
    latency: {
      description: 'the latency statistic divided by, ms per image: mean (published), p50, p90, p90EarlyStopping, calibrated',
      default: 'mean',
      choices: STATISTICS,
    },
  }),
  latencyStatistic: statisticOf,
  compute(m: Measures, params: Readonly<Record<string, ParamValue>>): FormulaResult {
    const metric = params.accuracy;
    if (typeof metric !== 'string') {
      throw new LpcvError('LPCV_E_FORMULA_INPUT', `${NAME} v${VERSION}: parameter 'accuracy' must name a metric`);
    }
    if (!Object.hasOwn(m.accuracy, metric)) {
      const have = Object.keys(m.accuracy).join(', ') || 'none';
      throw new LpcvError('LPCV_E_FORMULA_INPUT', `${NAME} v${VERSION}: no accuracy metric '${metric}' (measured: ${have})`);
    }
    const accuracy = m.accuracy[metric];
    if (!Number.isFinite(accuracy)) {
      throw new LpcvError('LPCV_E_FORMULA_INPUT', `${NAME} v${VERSION}: accuracy metric '${metric}' is ${accuracy}`);
    }
    const stat = statisticOf(params);
    const unscored = (reason: string, missing?: string): FormulaResult => ({
      formula: NAME,
      version: VERSION,
      value: null,
      qualified: false,
      reason,
      ...(missing === undefined ? {} : { missing: [missing] }),
    });
    const name = latencyMeasureName(stat);
    let ms: number | null | undefined;
    if (stat === 'calibrated') {
      ms = m.calibratedLatencyMs;
      if (ms === null || ms === undefined) {
        return unscored(
          "no calibrated latency: it needs a reference model paired in the run and the reference's latency fixed in the track (protocol.reference, protocol.referenceLatencyMs)",
          name,
        );
      }
    } else {
      if (m.latency === null) return unscored('no latency was measured', name);
      ms = stat === 'p90EarlyStopping' ? m.latency.p90EarlyStopping : m.latency[stat];
      if (ms === null) return unscored("no early-stopping p90: too few timed runs for LoadGen's estimate at 0.99 confidence", name);
      if (ms === undefined) return unscored('no early-stopping p90 was computed for this run', name);
    }
    if (!Number.isFinite(ms) || ms <= 0) return unscored(`${stat} latency is ${ms} ms, not a positive time`);
    return { formula: NAME, version: VERSION, value: accuracy / (ms / 1000), qualified: true, statistic: stat };
  },
});
