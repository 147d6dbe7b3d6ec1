import { describe, expect, it } from 'vitest';
import { errorOf } from '../../test/testing/lpcv-errors.js';
import { computeScore } from './registry.js';
import { run } from './testing/measures.js';

describe('lpirc v1: mAP / E_Wh', () => {
  it('divides mAP by the energy in watt-hours', () => {
    // 0.5 mAP at 1800 J = 0.5 Wh: 0.5 / 0.5 = 1
    const r = computeScore('lpirc', 1, run({ map50: 0.5 }, { energyJoules: 1800 }));
    expect(r).toMatchObject({ formula: 'lpirc', version: 1, value: 1, qualified: true });
    expect(r.inputs).toMatchObject({ map50: { value: 0.5, unit: 'fraction' }, energy: { value: 1800, unit: 'J' }, energy_wh: { value: 0.5, unit: 'Wh' } });
    // 36.7 J = 0.0101944 Wh: 0.3 / (36.7 / 3600) = 1080 / 36.7 = 29.42779...
    expect(computeScore('lpirc', 1, run({ map50: 0.3 }, { energyJoules: 36.7 })).value).toBeCloseTo(29.427792915531334, 12);
  });

  it('takes another metric by parameter, and scores a zero accuracy as 0', () => {
    // COCO mAP 0.25 at 7200 J = 2 Wh: 0.125
    expect(computeScore('lpirc', 1, run({ map: 0.25, map50: 0.4 }, { energyJoules: 7200 }), { accuracy: 'map' }).value).toBe(0.125);
    expect(computeScore('lpirc', 1, run({ map50: 0 }, { energyJoules: 7200 }))).toMatchObject({ value: 0, qualified: true });
  });

  it('gives no score without energy or with zero energy, naming what is missing', () => {
    const none = computeScore('lpirc', 1, run({ map50: 0.5 }));
    expect(none).toMatchObject({ value: null, qualified: false, missing: ['energy'] });
    expect(none.reason).toMatch(/no energy/);
    const zero = computeScore('lpirc', 1, run({ map50: 0.5 }, { energyJoules: 0 }));
    expect(zero).toMatchObject({ value: null, qualified: false });
    expect(zero.reason).toMatch(/0 J/);
    expect(zero.missing).toBeUndefined();
  });

  it('refuses a metric the run did not compute, or an accuracy that is no fraction', () => {
    const e = errorOf(() => computeScore('lpirc', 1, run({ top1: 0.5 }, { energyJoules: 10 })));
    expect(e.code).toBe('LPCV_E_FORMULA_INPUT');
    expect(e.detail).toEqual({ missing: ['map50'] });
    expect(errorOf(() => computeScore('lpirc', 1, run({ map50: 75 }, { energyJoules: 10 }))).message).toMatch(/75, not a fraction/);
  });
});
