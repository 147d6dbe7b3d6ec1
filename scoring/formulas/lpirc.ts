/**
 * lpirc v1: the Low-Power Image Recognition Challenge (2015-2019) onsite score, accuracy per watt-hour.
 */
import type { Formula, FormulaResult, Measures, ParamValue } from './types.js';
import { viewOf } from './measure-view.js';
import { stringParam } from './params.js';

const NAME = 'lpirc';
const VERSION = 1;

export const lpircV1: Formula = Object.freeze({
  name: NAME,
  version: VERSION,
  title: 'LPIRC 2015-2019: mAP divided by the energy in Wh',
  description:
    'score = A / E_Wh, where A is the accuracy metric named by `accuracy` (default map50, a fraction in [0, 1]) ' +
    'and E_Wh the gross energy of the whole measured run in watt-hours (1 Wh = 3600 J); unit 1/Wh. ' +
    'Edges: no energy measured -> null (reason, missing energy); E = 0 -> null (a division by zero is no score); ' +
    'A = 0 -> 0, qualified.',
  source:
    'LPIRC 2015-2019 onsite tracks (rebootingcomputing.ieee.org/lpirc; Alyamkin et al., "Low-Power Computer ' +
    'Vision: Status, Challenges, and Opportunities", IEEE JETCAS 2019): detection scored by mAP (IoU > 0.5, ' +
    'VOC style) over the 10-minute window, divided by the energy in Wh read from a Yokogawa WT300/WT310 ' +
    "meter. Confirmed by the challenge's pages; the harness's map50 is COCO-style AP at IoU 0.5, which can " +
    "differ from VOC's 11-point interpolation in the third decimal [U].",
  params: Object.freeze({
    accuracy: { description: 'accuracy metric in the measures (map50, map, top1, ...)', default: 'map50' },
  }),
  inputs: Object.freeze([
    { name: 'map50', unit: 'fraction', description: 'the accuracy metric (parameter accuracy)' },
    { name: 'energy', unit: 'Wh', description: 'gross energy of the whole run' },
  ]),
  latencyStatistic: () => null,
  compute(m: Measures, params: Readonly<Record<string, ParamValue>>): FormulaResult {
    const v = viewOf(m, NAME, VERSION);
    const a = v.accuracy(stringParam(params, 'accuracy', v.id));
    const e = v.energy();
    if (e === null) return v.unscored();
    v.note('energy_wh', e.wattHours, 'Wh');
    if (e.joules <= 0) return v.unscored('the energy is 0 J: dividing by it gives no score');
    return v.scored(a.fraction / e.wattHours, true);
  },
});
