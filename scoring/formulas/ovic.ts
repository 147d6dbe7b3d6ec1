/**
 * ovic v1: Google's On-device Visual Intelligence Challenge (2018-2020): accuracy under a latency budget,
 * ranked by the improvement over an empirical Pareto frontier a(t) = k ln(t) + a0.
 */
import { LpcvError } from '../../errors/lpcv-error.js';
import type { Formula, FormulaResult, Measures, ParamValue } from './types.js';
import { viewOf } from './measure-view.js';
import { choiceParam, numberParam, stringParam } from './params.js';

const NAME = 'ovic';
const VERSION = 1;
const RANK = ['frontier', 'accuracy'] as const;

export const ovicV1: Formula = Object.freeze({
  name: NAME,
  version: VERSION,
  title: 'OVIC: qualify under a latency budget, score = accuracy - a(t) in percentage points',
  description:
    'With t the mean per-image latency in ms and A% the accuracy metric named by `accuracy` in percent (default ' +
    'map), the frontier is a(t) = k ln(t) + a0 (percent) and, with rank=frontier (default), score = A% - a(t): ' +
    "percentage points above (positive) or below (negative) the frontier at the entry's own latency. With " +
    'rank=accuracy, score = A as a fraction. An entry qualifies when t <= budgetMs; over the budget the score is ' +
    'still shown but not qualified. Edges: no latency -> null (missing); t = 0 ms -> null (ln 0).',
  source:
    'OVIC 2018-2020 (Google Research blog, "Introducing the CVPR 2018 On-Device Visual Intelligence ' +
    'Challenge"; lpcv.ai, 2020 CVPR workshop; docs/formulas.md, Sources): TFLite models timed on one big core ' +
    'of a Pixel phone; accuracy under a target average latency (2020: detection 30 ms, Pixel 4 classification ' +
    '10 ms, LG G8 7 ms) and the improvement over the frontier fitted on COCO minival detection, 2020-04-07: k ' +
    '= 16.894553358968146, a0 = -34.42191514521174 (the defaults). [U] how the final rank combined the two; ' +
    'whether a latency equal to the budget qualified (here it does).',
  params: Object.freeze({
    accuracy: { description: 'accuracy metric in the measures (map for detection, top1 for classification)', default: 'map' },
    budgetMs: { description: 'latency budget in ms on the mean per-image latency', default: 30 },
    k: { description: 'frontier slope, percent per ln(ms)', default: 16.894553358968146 },
    a0: { description: 'frontier intercept, percent', default: -34.42191514521174 },
    rank: { description: 'frontier: score = accuracy% - a(t); accuracy: score = the accuracy fraction', default: 'frontier', choices: RANK },
  }),
  inputs: Object.freeze([
    { name: 'map', unit: 'percent', description: 'the accuracy metric (parameter accuracy), converted to percent' },
    { name: 'latency', unit: 'ms', description: 'mean per-image latency' },
  ]),
  checkParams(params: Readonly<Record<string, ParamValue>>): void {
    const budget = numberParam(params, 'budgetMs', `${NAME} v${VERSION}`);
    if (!(budget > 0)) throw new LpcvError('LPCV_E_FORMULA_INPUT', `${NAME} v${VERSION}: budgetMs must be > 0, got ${budget}`, { param: 'budgetMs' });
  },
  latencyStatistic: () => 'mean',
  compute(m: Measures, params: Readonly<Record<string, ParamValue>>): FormulaResult {
    const v = viewOf(m, NAME, VERSION);
    const a = v.accuracy(stringParam(params, 'accuracy', v.id));
    const budget = numberParam(params, 'budgetMs', v.id);
    const k = numberParam(params, 'k', v.id);
    const a0 = numberParam(params, 'a0', v.id);
    const rank = choiceParam(params, 'rank', v.id, RANK);
    const t = v.latency('mean');
    if (t === null) return v.unscored();
    if (t.milliseconds <= 0) return v.unscored('the mean latency is 0 ms: ln(0) has no value');
    const frontier = k * Math.log(t.milliseconds) + a0;
    const improvement = a.percent - frontier;
    v.note('accuracy_pct', a.percent, '%');
    v.note('frontier_pct', frontier, '%', 'k ln(t) + a0');
    v.note('improvement_points', improvement, 'percentage points');
    const value = rank === 'frontier' ? improvement : a.fraction;
    if (t.milliseconds > budget) return v.scored(value, false, `mean latency ${t.milliseconds} ms is over the ${budget} ms budget`);
    return v.scored(value, true);
  },
});
