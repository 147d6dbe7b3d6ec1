import { describe, expect, it } from 'vitest';
import { accuracyPerTimeV1 } from './accuracy-per-time.js';
import { checkScoreSpec, computeScore, getFormula, resolveParams } from './registry.js';
import { distinctLatency, measures } from './testing/measures.js';
import { errorOf } from '../../test/testing/lpcv-errors.js';

describe('accuracy-per-time v1', () => {
  it('divides the accuracy by the mean seconds per image', () => {
    // top1 0.9 at 20 ms per image: 0.9 / 0.020 s = 45 per second
    expect(computeScore('accuracy-per-time', 1, measures({ top1: 0.9, top5: 0.99 }, 20), {})).toEqual({
      formula: 'accuracy-per-time',
      version: 1,
      value: 45,
      qualified: true,
      statistic: 'mean',
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

  describe('the latency statistic it divides by (parameter latency)', () => {
    const apt = (m: ReturnType<typeof distinctLatency>, latency?: string) => computeScore('accuracy-per-time', 1, m, latency === undefined ? {} : { latency });

    it('divides by the mean by default (the published rule), and by the statistic the track names', () => {
      const m = distinctLatency({ top1: 0.9 });
      // 0.9 / 0.030 s = 30; 0.9 / 0.010 = 90; 0.9 / 0.040 = 22.5; 0.9 / 0.045 = 20; 0.9 / 0.0125 = 72
      expect(apt(m)).toMatchObject({ qualified: true, statistic: 'mean' });
      expect(apt(m).value).toBeCloseTo(30, 12);
      expect(apt(m, 'mean')).toEqual(apt(m));
      expect(apt(m, 'p50').statistic).toBe('p50');
      expect(apt(m, 'p50').value).toBeCloseTo(90, 12);
      expect(apt(m, 'p90').value).toBeCloseTo(22.5, 12);
      expect(apt(m, 'p90').statistic).toBe('p90');
      expect(apt(m, 'p90EarlyStopping').value).toBeCloseTo(20, 12);
      expect(apt(m, 'p90EarlyStopping').statistic).toBe('p90EarlyStopping');
      expect(apt(m, 'calibrated').statistic).toBe('calibrated');
      expect(apt(m, 'calibrated').value).toBeCloseTo(72, 12);
      expect(getFormula('accuracy-per-time', 1).latencyStatistic(resolveParams(getFormula('accuracy-per-time', 1), {}))).toBe('mean');
      expect(getFormula('accuracy-per-time', 1).latencyStatistic({ accuracy: 'top1', latency: 'p90' })).toBe('p90');
    });

    it("orders two models by the statistic it names: the issue's mean-versus-median case", () => {
      // Under load a model's mean is 3-4x its median (a few very slow runs): by the mean the other model wins,
      // by the median this one does. The score says which one it divided by.
      const spiky = { ...distinctLatency({ top1: 0.91 }), latency: { ...distinctLatency({}).latency!, p50: 0.2, mean: 0.7 } };
      const steady = { ...distinctLatency({ top1: 0.9 }), latency: { ...distinctLatency({}).latency!, p50: 0.3, mean: 0.35 } };
      expect(apt(spiky)!.value!).toBeLessThan(apt(steady)!.value!);
      expect(apt(spiky, 'p50')!.value!).toBeGreaterThan(apt(steady, 'p50')!.value!);
    });

    it('gives no score, not qualified, with a reason and the missing measure, when the run lacks the statistic', () => {
      const noEstimate = apt(distinctLatency({ top1: 0.9 }, { earlyStopping: null }), 'p90EarlyStopping');
      expect(noEstimate).toMatchObject({ value: null, qualified: false, missing: ['latency_p90_early_stopping'] });
      expect(noEstimate.reason).toMatch(/too few timed runs for LoadGen's estimate/);
      expect(noEstimate.statistic).toBeUndefined();
      const noReference = apt(distinctLatency({ top1: 0.9 }, { calibratedMs: null }), 'calibrated');
      expect(noReference).toMatchObject({ value: null, qualified: false, missing: ['latency_calibrated'] });
      expect(noReference.reason).toMatch(/protocol\.referenceLatencyMs/);
      // The calibrated latency needs no latency statistics of its own (it is the paired ratio x a fixed figure).
      expect(apt({ ...distinctLatency({ top1: 0.9 }), latency: null }, 'calibrated').value).toBeCloseTo(72, 12);
      expect(apt({ ...distinctLatency({ top1: 0.9 }), latency: null }, 'p50')).toMatchObject({ value: null, reason: 'no latency was measured' });
    });

    it('refuses a statistic it does not know when the track loads, naming the parameter', () => {
      expect(checkScoreSpec({ formula: 'accuracy-per-time', version: 1, params: { latency: 'median' } })).toMatchObject({
        key: 'score.params.latency',
        code: 'LPCV_E_FORMULA_INPUT',
        message: expect.stringMatching(/one of mean, p50, p90, p90EarlyStopping, calibrated, got 'median'/),
      });
      expect(checkScoreSpec({ formula: 'accuracy-per-time', version: 1, params: { latency: 'calibrated' } })).toBeNull();
      // compute called directly (without resolveParams) checks it too
      expect(errorOf(() => accuracyPerTimeV1.compute(measures({ top1: 0.9 }, 20), { accuracy: 'top1', latency: 'p42' })).code).toBe('LPCV_E_FORMULA_INPUT');
    });
  });
});
