/**
 * lpcv2025 v1: the 2025-2026 (Qualcomm device cloud) rule: qualify by a latency cut-off, then rank by accuracy.
 */
import { LpcvError } from '../../errors/lpcv-error.js';
import type { Formula, FormulaResult, Measures, ParamValue } from './types.js';
import { LATENCY_STATISTICS, type LatencyStatistic } from './measure-names.js';
import { viewOf } from './measure-view.js';
import { choiceParam, numberParam, stringParam } from './params.js';

const NAME = 'lpcv2025';
const VERSION = 1;
const STATS = LATENCY_STATISTICS.filter((s) => s !== 'std');

export const lpcv2025V1: Formula = Object.freeze({
  name: NAME,
  version: VERSION,
  title: 'LPCVC 2025: qualify by a latency cut-off, score = accuracy',
  description:
    'score = A, the accuracy metric named by `accuracy` (default top1, a fraction); the entry qualifies when its ' +
    'per-image latency statistic `latencyStat` (default mean, in ms) is <= cutoffMs. Over the cut-off the ' +
    'accuracy is still the value, not qualified. Edges: no latency -> null (qualification cannot be decided; ' +
    'missing latency).',
  source:
    'LPCVC 2025-2026 (Qualcomm AI Hub device cloud; Ye et al., "Evaluation of Winning Solutions of 2025 Low ' +
    'Power Computer Vision Challenge", arXiv:2604.19054): compiled models profiled over 20-100 iterations on ' +
    'Snapdragon phones; qualify by a latency cut-off, then rank by accuracy (top-1, mIoU, F-score, Recall@10 ' +
    'by track). [U] the cut-off per track (a parameter, no default) and which latency statistic the ' +
    "profiler's number is (mean by default; p50 or min are choices).",
  params: Object.freeze({
    accuracy: { description: 'accuracy metric in the measures (top1, miou, f1, recall10, ...)', default: 'top1' },
    cutoffMs: { description: 'latency cut-off in ms (entries at or under it qualify)', type: 'number' as const, example: 30 },
    latencyStat: {
      description: "the latency statistic compared with the cut-off (mean, p50, p90, p95, p99, min, max, p90EarlyStopping: LoadGen's estimate, calibrated)",
      default: 'mean',
      choices: STATS,
    },
  }),
  inputs: Object.freeze([
    { name: 'top1', unit: 'fraction', description: 'the accuracy metric (parameter accuracy)' },
    { name: 'latency', unit: 'ms', description: 'the latency statistic latencyStat (latency = mean, latency_p50, ...)' },
  ]),
  checkParams(params: Readonly<Record<string, ParamValue>>): void {
    const cutoff = numberParam(params, 'cutoffMs', `${NAME} v${VERSION}`);
    if (!(cutoff > 0)) throw new LpcvError('LPCV_E_FORMULA_INPUT', `${NAME} v${VERSION}: cutoffMs must be > 0, got ${cutoff}`, { param: 'cutoffMs' });
  },
  latencyStatistic: (params: Readonly<Record<string, ParamValue>>) => choiceParam<LatencyStatistic>(params, 'latencyStat', `${NAME} v${VERSION}`, STATS),
  compute(m: Measures, params: Readonly<Record<string, ParamValue>>): FormulaResult {
    const v = viewOf(m, NAME, VERSION);
    const a = v.accuracy(stringParam(params, 'accuracy', v.id));
    const cutoff = numberParam(params, 'cutoffMs', v.id);
    const stat = choiceParam<LatencyStatistic>(params, 'latencyStat', v.id, STATS);
    const t = v.latency(stat);
    if (t === null) return v.unscored();
    if (t.milliseconds > cutoff) return v.scored(a.fraction, false, `${stat} latency ${t.milliseconds} ms is over the ${cutoff} ms cut-off`);
    return v.scored(a.fraction, true);
  },
});
