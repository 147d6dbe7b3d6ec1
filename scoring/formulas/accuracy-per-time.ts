/**
 * accuracy-per-time v1: LPCVC 2023's published rule, "accuracy divided by the average inference time".
 */
import { LpcvError } from '../../errors/lpcv-error.js';
import type { Formula, FormulaResult, Measures, ParamValue } from './types.js';

const NAME = 'accuracy-per-time';
const VERSION = 1;

export const accuracyPerTimeV1: Formula = Object.freeze({
  name: NAME,
  version: VERSION,
  title: 'Accuracy divided by the mean inference time per image (1/s)',
  description:
    'score = A / (t / 1000), where A is the accuracy metric named by the parameter `accuracy` (a fraction in ' +
    '[0, 1]) and t the mean per-image latency in milliseconds, so the unit is 1/s. No score without a latency ' +
    'measurement or with a mean latency of 0.',
  source:
    'LPCVC 2023 (segmentation track): "accuracy divided by the average inference time", accuracy = mean Dice. ' +
    'The 2020 FPGA track combined accuracy and time by a formula that is not published; this one stands in. ' +
    "The 2023 award condition (beat the sample solution's accuracy and time) is not part of this formula.",
  params: Object.freeze({
    accuracy: { description: 'name of the accuracy metric in the measures (e.g. top1, map, mdice)', default: 'top1' },
  }),
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
    const unscored = (reason: string): FormulaResult => ({ formula: NAME, version: VERSION, value: null, qualified: false, reason });
    if (m.latency === null) return unscored('no latency was measured');
    const meanMs = m.latency.mean;
    if (!Number.isFinite(meanMs) || meanMs <= 0) return unscored(`mean latency is ${meanMs} ms, not a positive time`);
    return { formula: NAME, version: VERSION, value: accuracy / (meanMs / 1000), qualified: true };
  },
});
