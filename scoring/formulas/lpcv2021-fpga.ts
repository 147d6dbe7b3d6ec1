/**
 * lpcv2021-fpga v1: the 2021 FPGA (COCO detection) track's score, 10^4 / E_J x ReLU(mAP - 0.2) x ReLU(fps - 5).
 */
import type { Formula, FormulaResult, Measures, ParamValue } from './types.js';
import { viewOf } from './measure-view.js';
import { relu, stringParam } from './params.js';

const NAME = 'lpcv2021-fpga';
const VERSION = 1;
const MAP_FLOOR = 0.2;
const FPS_FLOOR = 5;

export const lpcv2021FpgaV1: Formula = Object.freeze({
  name: NAME,
  version: VERSION,
  title: 'LPCVC 2021 FPGA: 10^4 / E_J x ReLU(mAP - 0.2) x ReLU(fps - 5)',
  description:
    'score = 10^4 / E_J x ReLU(A - 0.2) x ReLU(fps - 5), where E_J is the gross energy of the whole run in joules, ' +
    'A the accuracy metric named by `accuracy` (default map: COCO mAP 0.50:0.95, a fraction) and fps the ' +
    'images per second (given, else images / duration, else 1 / mean latency). ' +
    'Edges: A <= 0.2 or fps <= 5 -> 0, not qualified (the floors are the minimum requirements); ' +
    'no energy or no fps -> null (missing); E = 0 J -> null.',
  source:
    "LPCVC 2021 FPGA track, Ultra96-V2 + DPU, COCO 2017 test-dev 20,288 images (a participant's write-up, " +
    'github.com/scyonggg/LPCV21; docs/formulas.md, Sources): the formula as stated there, E = mean power of ' +
    "the 5V PMBus rail sampled every 50 ms x wall time [U: from a third-party source, not the organizers' " +
    'page]. fps = images / wall time of the whole batch.',
  params: Object.freeze({
    accuracy: { description: 'accuracy metric in the measures', default: 'map' },
  }),
  inputs: Object.freeze([
    { name: 'map', unit: 'fraction', description: 'the accuracy metric (parameter accuracy)' },
    { name: 'energy', unit: 'J', description: 'gross energy of the whole run' },
    { name: 'fps', unit: '1/s', description: 'images per second (or duration and images, or latency)' },
  ]),
  // fps as 1 / mean latency only when neither fps nor a wall clock was measured (MeasureView.fps).
  latencyStatistic: () => 'mean',
  compute(m: Measures, params: Readonly<Record<string, ParamValue>>): FormulaResult {
    const v = viewOf(m, NAME, VERSION);
    const a = v.accuracy(stringParam(params, 'accuracy', v.id));
    const e = v.energy();
    const fps = v.fps();
    if (e === null || fps === null) return v.unscored();
    if (e.joules <= 0) return v.unscored('the energy is 0 J: dividing by it gives no score');
    const value = (1e4 / e.joules) * relu(a.fraction - MAP_FLOOR) * relu(fps.perSecond - FPS_FLOOR);
    const short: string[] = [];
    if (a.fraction <= MAP_FLOOR) short.push(`accuracy ${a.fraction} is not above ${MAP_FLOOR}`);
    if (fps.perSecond <= FPS_FLOOR) short.push(`${fps.perSecond.toPrecision(4)} fps is not above ${FPS_FLOOR}`);
    return short.length > 0 ? v.scored(value, false, short.join('; ')) : v.scored(value, true);
  },
});
