import { describe, expect, it } from 'vitest';
import { accuracyPerTimeV1 } from './accuracy-per-time.js';
import { computeScore } from './registry.js';
import { measures } from './testing/measures.js';
import { errorOf } from '../../test/testing/lpcv-errors.js';

describe('accuracy-per-time v1', () => {
  it('divides the accuracy by the mean seconds per image', () => {
    // top1 0.9 at 20 ms per image: 0.9 / 0.020 s = 45 per second
    expect(computeScore('accuracy-per-time', 1, measures({ top1: 0.9, top5: 0.99 }, 20), {})).toEqual({
      formula: 'accuracy-per-time',
      version: 1,
      value: 45,
      qualified: true,
    });
    // LPCVC 2023 style: mean Dice 0.6 at 250 ms per image: 0.6 / 0.25 s = 2.4
    const r = computeScore('accuracy-per-time', 1, measures({ mdice: 0.6, miou: 0.45 }, 250), { accuracy: 'mdice' });
    expect(r.value).toBeCloseTo(2.4, 14);
  });

  it('ranks a faster model of equal accuracy higher and a more accurate one of equal speed higher', () => {
    const score = (acc: number, ms: number) => computeScore('accuracy-per-time', 1, measures({ top1: acc }, ms), {}).value;
    expect(score(0.8, 10)).toBeGreaterThan(score(0.8, 11) ?? Infinity);
    expect(score(0.81, 10)).toBeGreaterThan(score(0.8, 10) ?? Infinity);
  });

  it('gives no score, with a reason, without latency or with a zero mean', () => {
    const none = computeScore('accuracy-per-time', 1, measures({ top1: 0.9 }, null), {});
    expect(none).toMatchObject({ value: null, qualified: false });
    expect(none.reason).toMatch(/latency/);
    const zero = computeScore('accuracy-per-time', 1, measures({ top1: 0.9 }, 0), {});
    expect(zero).toMatchObject({ value: null, qualified: false });
    expect(zero.reason).toMatch(/0 ms/);
  });

  it('names a missing accuracy metric', () => {
    expect(errorOf(() => computeScore('accuracy-per-time', 1, measures({ map: 0.3 }, 20), {})).code).toBe('LPCV_E_FORMULA_INPUT');
    expect(() => computeScore('accuracy-per-time', 1, measures({ map: 0.3 }, 20), {})).toThrow(/'top1'.*map/);
    // an inherited property name is not a metric
    expect(errorOf(() => accuracyPerTimeV1.compute(measures({}, 20), { accuracy: 'constructor' })).code).toBe('LPCV_E_FORMULA_INPUT');
  });
});
