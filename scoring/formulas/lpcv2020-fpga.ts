/**
 * lpcv2020-fpga v1: the 2020 FPGA track's accuracy and time, combined as accuracy per second per image.
 * The track's published rule does not give the formula ([U] in docs/formulas.md); this is a reconstruction.
 */
import type { Formula, FormulaResult, Measures, ParamValue } from './types.js';
import { TIME_SOURCES, viewOf, type TimeSource } from './measure-view.js';
import { choiceParam, stringParam } from './params.js';

const NAME = 'lpcv2020-fpga';
const VERSION = 1;

export const lpcv2020FpgaV1: Formula = Object.freeze({
  name: NAME,
  version: VERSION,
  title: 'LPCVC 2020 FPGA (reconstruction): top-1 divided by wall seconds per image',
  description:
    'score = A / (T / N), where A is the accuracy metric named by `accuracy` (default top1, a fraction), T the ' +
    'wall-clock seconds of the whole batch and N its images (time=wall, the default: the track timed the whole ' +
    'folder by the wall clock); time=latency uses the mean per-image latency in seconds instead, time=auto the ' +
    'wall clock when the run has one. Unit 1/s. Edges: no duration or image count (time=wall) -> null (missing); ' +
    '0 s per image -> null; A = 0 -> 0.',
  source:
    'LPCVC 2020 FPGA track, Ultra96-V2 + DPU (lpcv.ai, 2020 CVPR workshop; docs/formulas.md, Sources): ' +
    "contestants' code read every JPEG of a folder and wrote image.list.result; top-1 from the first of 5 " +
    'lines per image; the whole batch was timed by the wall clock. "Accuracy and time combined" is all that ' +
    'is published [U: the exact formula]: this accuracy-per-time reconstruction is not the official one.',
  params: Object.freeze({
    accuracy: { description: 'accuracy metric in the measures', default: 'top1' },
    time: { description: 'seconds per image from: wall (duration / images), latency (mean latency), auto', default: 'wall', choices: TIME_SOURCES },
  }),
  inputs: Object.freeze([
    { name: 'top1', unit: 'fraction', description: 'the accuracy metric (parameter accuracy)' },
    { name: 'duration', unit: 's', description: 'wall clock of the whole batch (time=wall)' },
    { name: 'images', unit: 'count', description: 'images in the batch (time=wall)' },
    { name: 'latency', unit: 'ms', description: 'mean per-image latency (time=latency)' },
  ]),
  // time=wall never reads the latency; time=latency reads the mean, and time=auto does without a wall clock.
  latencyStatistic: (params: Readonly<Record<string, ParamValue>>) => (params.time === 'wall' ? null : 'mean'),
  compute(m: Measures, params: Readonly<Record<string, ParamValue>>): FormulaResult {
    const v = viewOf(m, NAME, VERSION);
    const a = v.accuracy(stringParam(params, 'accuracy', v.id));
    const spi = v.secondsPerImage(choiceParam<TimeSource>(params, 'time', v.id, TIME_SOURCES));
    if (spi === null) return v.unscored();
    if (spi.seconds <= 0) return v.unscored('0 s per image: dividing by it gives no score');
    return v.scored(a.fraction / spi.seconds, true);
  },
});
