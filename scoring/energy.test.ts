import { describe, expect, it } from 'vitest';
import { energyAboveIdle, integrateEnergy, type PowerPoint } from './energy.js';
import { errorOf } from '../test/testing/lpcv-errors.js';

const p = (t: number, watts: number): PowerPoint => ({ t, watts });

describe('integrateEnergy', () => {
  it('integrates a constant 5 W over 2 s to 10 J', () => {
    const e = integrateEnergy([p(0, 5), p(1000, 5), p(2000, 5)], 0, 2000);
    expect(e.joules).toBeCloseTo(10, 12);
    expect(e.avgWatts).toBeCloseTo(5, 12);
    expect(e.windowSeconds).toBe(2);
    expect(e.sampleCount).toBe(3);
  });

  it('integrates a ramp 0 -> 10 W over 1 s to 5 J (the trapezoid is exact for a line)', () => {
    expect(integrateEnergy([p(0, 0), p(1000, 10)], 0, 1000).joules).toBeCloseTo(5, 12);
  });

  it('cuts a segment at both edges by linear interpolation: ramp 0 -> 10 W, window [250, 750] ms = 2.5 J', () => {
    // w(250) = 2.5 W, w(750) = 7.5 W: (2.5 + 7.5) / 2 x 0.5 s.
    const e = integrateEnergy([p(0, 0), p(1000, 10)], 250, 750);
    expect(e.joules).toBeCloseTo(2.5, 12);
    expect(e.avgWatts).toBeCloseTo(5, 12);
    expect(e.sampleCount).toBe(0);
  });

  // (0, 2) (1000, 4) (2000, 4) (3000, 0), window [500, 2500]:
  //   [500, 1000]: 3 -> 4 W, 3.5 W x 0.5 s = 1.75 J
  //   [1000, 2000]: 4 W x 1 s = 4 J
  //   [2000, 2500]: 4 -> 2 W, 3 W x 0.5 s = 1.5 J          total 7.25 J over 2 s
  const curve = [p(0, 2), p(1000, 4), p(2000, 4), p(3000, 0)];

  it('counts only the parts of the edge segments inside the window', () => {
    const e = integrateEnergy(curve, 500, 2500);
    expect(e.joules).toBeCloseTo(7.25, 12);
    expect(e.avgWatts).toBeCloseTo(3.625, 12);
    expect(e.windowSeconds).toBe(2);
    expect(e.sampleCount).toBe(2);
  });

  it('sorts unsorted input by time first', () => {
    const shuffled = [curve[2]!, curve[0]!, curve[3]!, curve[1]!];
    expect(integrateEnergy(shuffled, 500, 2500).joules).toBeCloseTo(7.25, 12);
    // The caller's array is not reordered.
    expect(shuffled.map((s) => s.t)).toEqual([2000, 0, 3000, 1000]);
  });

  it('integrates a step (two samples at the same instant) as a step: 2 W x 1 s + 6 W x 1 s = 8 J', () => {
    // This is how a counter-based sampler (RAPL) represents an average power per interval.
    const e = integrateEnergy([p(0, 2), p(1000, 2), p(1000, 6), p(2000, 6)], 0, 2000);
    expect(e.joules).toBeCloseTo(8, 12);
  });

  it('counts samples on the window edges as inside', () => {
    expect(integrateEnergy(curve, 1000, 2000).sampleCount).toBe(2);
    expect(integrateEnergy(curve, 1000, 2000).joules).toBeCloseTo(4, 12);
  });

  it('refuses a reversed, empty or non-finite window', () => {
    for (const [a, b] of [
      [1000, 500],
      [500, 500],
      [Number.NaN, 1000],
      [0, Number.POSITIVE_INFINITY],
    ] as const) {
      const e = errorOf(() => integrateEnergy(curve, a, b));
      expect(e.code).toBe('LPCV_E_POWER_SAMPLES');
      expect(e.message).toContain('end > start');
    }
  });

  it('refuses a negative or non-finite reading', () => {
    for (const bad of [p(1500, -0.1), p(1500, Number.NaN), p(1500, Number.POSITIVE_INFINITY), p(Number.NaN, 1)]) {
      const e = errorOf(() => integrateEnergy([...curve, bad], 500, 2500));
      expect(e.code).toBe('LPCV_E_POWER_SAMPLES');
      expect(e.message).toContain('not a finite, non-negative reading');
    }
  });

  it('refuses samples that do not cover the window on both sides (nothing is extrapolated)', () => {
    expect(errorOf(() => integrateEnergy(curve, -1, 2500)).message).toContain('samples span [0, 3000] ms');
    expect(errorOf(() => integrateEnergy(curve, 500, 3000.5)).code).toBe('LPCV_E_POWER_SAMPLES');
    expect(errorOf(() => integrateEnergy([], 0, 1)).message).toContain('no samples');
    expect(errorOf(() => integrateEnergy([p(0, 3)], 0, 1)).code).toBe('LPCV_E_POWER_SAMPLES');
  });
});

describe('energyAboveIdle', () => {
  it('subtracts idle watts times the window, as the 2020 UAV track did with 1.961 W', () => {
    expect(energyAboveIdle(10, 1.961, 2)).toBeCloseTo(6.078, 12);
  });

  it('does not clamp: an idle figure above the average shows as negative energy', () => {
    expect(energyAboveIdle(1, 1, 2)).toBeCloseTo(-1, 12);
  });
});
