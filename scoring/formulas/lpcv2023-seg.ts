/**
 * lpcv2023-seg v1: the 2023 segmentation track's score, mean Dice per second per image, with its award
 * condition (beat the sample solution on both accuracy and time) as the qualification.
 */
import { LpcvError } from '../../errors/lpcv-error.js';
import type { Formula, FormulaResult, Measures, ParamValue } from './types.js';
import { TIME_SOURCES, viewOf, type TimeSource } from './measure-view.js';
import { choiceParam, numberParam, stringParam } from './params.js';

const NAME = 'lpcv2023-seg';
const VERSION = 1;
const QUALIFY = ['all', 'beat-sample'] as const;

export const lpcv2023SegV1: Formula = Object.freeze({
  name: NAME,
  version: VERSION,
  title: 'LPCVC 2023 segmentation: mean Dice divided by the average seconds per image',
  description:
    'score = A / (T / N): A the accuracy metric named by `accuracy` (default mdice, mean Dice, a fraction), T / N ' +
    'the average seconds per image (time=wall, the default: the wall clock of the whole folder over its images; ' +
    'time=latency: the mean per-image latency; time=auto: wall when known). Unit 1/s. With qualify=beat-sample an ' +
    'entry qualifies only if A > sampleAccuracy and T / N < sampleSeconds (strictly better on both); with ' +
    'qualify=all (default) every scored entry qualifies. Edges: no time -> null (missing); 0 s per image -> null; A = 0 -> 0.',
  source:
    'LPCVC 2023 (Jetson Nano 2GB, 600 hidden 512x512 images; Chen et al., "Results of Low Power Computer ' +
    'Vision Challenge (LPCVC) 2023", arXiv:2403.07153; ' +
    'github.com/lpcvai/23LPCVC_Segmentation_Track-Sample_Solution): "accuracy divided by the average ' +
    'inference time", accuracy = mean Dice (per-image nanmean over classes, then mean over images); an entry ' +
    'qualified for an award only if both its accuracy and its time beat the sample solution. The 2023 referee ' +
    'took a self-reported time; the harness times the run itself. [U] whether a tie with the sample counted ' +
    "as beating it (here it does not); the sample's figures are not published here: give them as parameters.",
  params: Object.freeze({
    accuracy: { description: 'accuracy metric in the measures', default: 'mdice' },
    time: { description: 'seconds per image from: wall (duration / images), latency (mean latency), auto', default: 'wall', choices: TIME_SOURCES },
    qualify: { description: 'all: every scored entry qualifies; beat-sample: only entries better than the sample on both', default: 'all', choices: QUALIFY },
    sampleAccuracy: { description: "the sample solution's accuracy (fraction), with qualify=beat-sample", default: 0 },
    sampleSeconds: { description: "the sample solution's average seconds per image, measured the same way, with qualify=beat-sample", default: 0 },
  }),
  inputs: Object.freeze([
    { name: 'mdice', unit: 'fraction', description: 'the accuracy metric (parameter accuracy)' },
    { name: 'duration', unit: 's', description: 'wall clock of the whole folder (time=wall)' },
    { name: 'images', unit: 'count', description: 'images in the folder (time=wall)' },
    { name: 'latency', unit: 'ms', description: 'mean per-image latency (time=latency)' },
  ]),
  checkParams(params: Readonly<Record<string, ParamValue>>): void {
    const id = `${NAME} v${VERSION}`;
    if (choiceParam(params, 'qualify', id, QUALIFY) !== 'beat-sample') return;
    const acc = numberParam(params, 'sampleAccuracy', id);
    const sec = numberParam(params, 'sampleSeconds', id);
    if (!(acc >= 0 && acc <= 1)) {
      throw new LpcvError('LPCV_E_FORMULA_INPUT', `${id}: sampleAccuracy must be a fraction in [0, 1], got ${acc}`, { param: 'sampleAccuracy' });
    }
    if (!(sec > 0)) {
      throw new LpcvError('LPCV_E_FORMULA_INPUT', `${id}: qualify=beat-sample needs sampleSeconds, the sample's seconds per image (> 0), got ${sec}`, {
        param: 'sampleSeconds',
      });
    }
  },
  // time=wall never reads the latency; time=latency reads the mean, and time=auto does without a wall clock.
  latencyStatistic: (params: Readonly<Record<string, ParamValue>>) => (params.time === 'wall' ? null : 'mean'),
  compute(m: Measures, params: Readonly<Record<string, ParamValue>>): FormulaResult {
    lpcv2023SegV1.checkParams!(params);
    const v = viewOf(m, NAME, VERSION);
    const a = v.accuracy(stringParam(params, 'accuracy', v.id));
    const spi = v.secondsPerImage(choiceParam<TimeSource>(params, 'time', v.id, TIME_SOURCES));
    if (spi === null) return v.unscored();
    if (spi.seconds <= 0) return v.unscored('0 s per image: dividing by it gives no score');
    const value = a.fraction / spi.seconds;
    if (choiceParam(params, 'qualify', v.id, QUALIFY) === 'all') return v.scored(value, true);
    const sampleAcc = numberParam(params, 'sampleAccuracy', v.id);
    const sampleSec = numberParam(params, 'sampleSeconds', v.id);
    const short: string[] = [];
    if (!(a.fraction > sampleAcc)) short.push(`accuracy ${a.fraction} does not beat the sample's ${sampleAcc}`);
    if (!(spi.seconds < sampleSec)) short.push(`${spi.seconds.toPrecision(4)} s per image does not beat the sample's ${sampleSec} s`);
    return short.length > 0 ? v.scored(value, false, short.join('; ')) : v.scored(value, true);
  },
});
