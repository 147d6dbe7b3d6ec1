/**
 * dac-sdc-2022 v1: the DAC System Design Contest 2022 score (a related contest), energy-discounted IoU and
 * throughput terms.
 */
import type { Formula, FormulaResult, Measures, ParamValue } from './types.js';
import { viewOf } from './measure-view.js';
import { relu, stringParam } from './params.js';

const NAME = 'dac-sdc-2022';
const VERSION = 1;

export const dacSdc2022V1: Formula = Object.freeze({
  name: NAME,
  version: VERSION,
  title: 'DAC-SDC 2022: 10^2 / log2(E_J) x max(ReLU(1 - 5 ReLU(0.7 - IoU)), 0.1) x ReLU(1 - ReLU(1 - FPS/30))',
  description:
    'score = 100 / log2(E_J) x max(ReLU(1 - 5 ReLU(0.7 - IoU)), 0.1) x ReLU(1 - ReLU(1 - FPS / 30)), E_J the gross ' +
    'energy of the run in joules, IoU the accuracy metric named by `accuracy` (default iou, a fraction), FPS images ' +
    'per second (given, else images / duration, else 1 / mean latency). The IoU term is 1 at IoU >= 0.7, falls ' +
    'linearly to its floor 0.1 at IoU <= 0.52; the FPS term is min(FPS / 30, 1). Edges: E <= 1 J -> null, not ' +
    'qualified (log2(E) <= 0: the published formula divides by zero or turns negative there, which rewards ' +
    'nothing sensible); FPS = 0 -> 0; no energy or no FPS -> null (missing).',
  source:
    'DAC-SDC 2022 (a related contest, not LPCVC; byuccl.github.io/dac_sdc_2022/evaluation): the formula as ' +
    "stated there. The handling of E <= 1 J is the harness's decision; real runs over a whole test set use " +
    'far more than 1 J.',
  params: Object.freeze({
    accuracy: { description: 'accuracy metric in the measures', default: 'iou' },
  }),
  inputs: Object.freeze([
    { name: 'iou', unit: 'fraction', description: 'the accuracy metric (parameter accuracy)' },
    { name: 'energy', unit: 'J', description: 'gross energy of the whole run' },
    { name: 'fps', unit: '1/s', description: 'images per second (or duration and images, or latency)' },
  ]),
  // fps as 1 / mean latency only when neither fps nor a wall clock was measured (MeasureView.fps).
  latencyStatistic: () => 'mean',
  compute(m: Measures, params: Readonly<Record<string, ParamValue>>): FormulaResult {
    const v = viewOf(m, NAME, VERSION);
    const iou = v.accuracy(stringParam(params, 'accuracy', v.id)).fraction;
    const e = v.energy();
    const fps = v.fps();
    if (e === null || fps === null) return v.unscored();
    if (e.joules <= 1) return v.unscored(`the energy is ${e.joules} J: log2(E) <= 0 for E <= 1 J, where the formula has no meaningful value`);
    const log2e = Math.log2(e.joules);
    const iouTerm = Math.max(relu(1 - 5 * relu(0.7 - iou)), 0.1);
    const fpsTerm = relu(1 - relu(1 - fps.perSecond / 30));
    v.note('log2_energy', log2e, 'log2(J)');
    v.note('iou_term', iouTerm, '1');
    v.note('fps_term', fpsTerm, '1');
    return v.scored((100 / log2e) * iouTerm * fpsTerm, true);
  },
});
