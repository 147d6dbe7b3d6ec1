import { describe, expect, it } from 'vitest';
import { errorOf } from '../../test/testing/lpcv-errors.js';
import { computeScore } from './registry.js';
import { run } from './testing/measures.js';

describe('lpcv2020-video v1 and lpcv2021-video v1: A / (E_Wh - idle W x s / 3600)', () => {
  it('subtracts 1.961 W over the energy window (2020: accuracy)', () => {
    // 18000 J = 5 Wh gross; idle 1.961 W x 3600 s = 1.961 Wh; 5 - 1.961 = 3.039 Wh; 0.8 / 3.039 = 0.26324...
    const r = computeScore('lpcv2020-video', 1, run({ accuracy: 0.8 }, { energyJoules: 18000, energyWindowSeconds: 3600, durationSeconds: 9999 }));
    expect(r.value).toBeCloseTo(0.2632444883185258, 12);
    expect(r.qualified).toBe(true);
    // the window, not the duration, is what idle power is multiplied by
    expect(r.inputs).toMatchObject({ window: { value: 3600, unit: 's' }, idle: { value: 1.961, unit: 'W', from: 'parameter idleWatts' } });
    expect(r.inputs?.idle_wh?.value).toBeCloseTo(1.961, 12);
    expect(r.inputs?.energy_above_idle_wh?.value).toBeCloseTo(3.039, 12);
  });

  it('falls back to the duration when the energy has no window (2021: F1)', () => {
    // 7200 J = 2 Wh; idle 1.961 W x 1800 s / 3600 = 0.9805 Wh; 2 - 0.9805 = 1.0195 Wh; 0.6 / 1.0195 = 0.58852...
    const r = computeScore('lpcv2021-video', 1, run({ f1: 0.6 }, { energyJoules: 7200, durationSeconds: 1800 }));
    expect(r.value).toBeCloseTo(0.5885237861696911, 12);
    expect(r.inputs?.window).toEqual({ value: 1800, unit: 's', from: 'duration' });
  });

  it("uses the record's measured idle figure only when asked (idle=record), and a different fixed figure by parameter", () => {
    const m = run({ accuracy: 0.8 }, { energyJoules: 18000, energyWindowSeconds: 3600, idle: { watts: 2, source: 'measured' } });
    // fixed (default): the measured 2 W is ignored
    expect(computeScore('lpcv2020-video', 1, m).value).toBeCloseTo(0.2632444883185258, 12);
    // record: 5 - 2 x 3600 / 3600 = 3 Wh; 0.8 / 3 = 0.2666...
    const rec = computeScore('lpcv2020-video', 1, m, { idle: 'record' });
    expect(rec.value).toBeCloseTo(0.8 / 3, 14);
    expect(rec.inputs?.idle).toEqual({ value: 2, unit: 'W', from: 'measured before the run' });
    // idleWatts 0: no subtraction, 0.8 / 5
    expect(computeScore('lpcv2020-video', 1, m, { idleWatts: 0 }).value).toBeCloseTo(0.16, 14);
    // record without a figure: no score, idle missing
    const none = computeScore('lpcv2020-video', 1, run({ accuracy: 0.8 }, { energyJoules: 18000, energyWindowSeconds: 3600 }), { idle: 'record' });
    expect(none).toMatchObject({ value: null, qualified: false, missing: ['idle'] });
    expect(errorOf(() => computeScore('lpcv2020-video', 1, m, { idle: 'measured' })).message).toMatch(/one of fixed, record/);
  });

  it('gives no score when the idle energy reaches the gross energy, or without energy or window', () => {
    // 7000 J gross, idle 1.961 W x 3600 s = 7059.6 J: -59.6 J above idle
    const neg = computeScore('lpcv2020-video', 1, run({ accuracy: 0.8 }, { energyJoules: 7000, energyWindowSeconds: 3600 }));
    expect(neg).toMatchObject({ value: null, qualified: false });
    expect(neg.reason).toMatch(/above idle is -0\.01656 Wh.*too high/);
    // exactly equal: 7059.6 J - 7059.6 J = 0: no division by zero
    expect(computeScore('lpcv2020-video', 1, run({ accuracy: 0.8 }, { energyJoules: 7059.6, energyWindowSeconds: 3600 })).value).toBeNull();
    expect(computeScore('lpcv2021-video', 1, run({ f1: 0.8 }, { durationSeconds: 10 })).missing).toEqual(['energy']);
    expect(computeScore('lpcv2021-video', 1, run({ f1: 0.8 }, { energyJoules: 100 })).missing).toEqual(['duration']);
  });
});
