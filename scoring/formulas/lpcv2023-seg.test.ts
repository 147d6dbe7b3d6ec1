import { describe, expect, it } from 'vitest';
import { errorOf } from '../../test/testing/lpcv-errors.js';
import { computeScore } from './registry.js';
import { run } from './testing/measures.js';

const m = run({ mdice: 0.6, miou: 0.45 }, { durationSeconds: 150, images: 600, latencyMs: 200 });

describe('lpcv2023-seg v1: mean Dice / average seconds per image', () => {
  it('divides mean Dice by the wall seconds per image', () => {
    // 150 s / 600 images = 0.25 s; 0.6 / 0.25 = 2.4
    expect(computeScore('lpcv2023-seg', 1, m)).toMatchObject({ value: 2.4, qualified: true });
    // time=latency: 0.6 / 0.2 s = 3
    expect(computeScore('lpcv2023-seg', 1, m, { time: 'latency' }).value).toBeCloseTo(3, 12);
  });

  it('qualifies only entries that beat the sample solution on both accuracy and time (qualify=beat-sample)', () => {
    const beat = (sampleAccuracy: number, sampleSeconds: number) =>
      computeScore('lpcv2023-seg', 1, m, { qualify: 'beat-sample', sampleAccuracy, sampleSeconds });
    expect(beat(0.5, 0.3)).toMatchObject({ value: 2.4, qualified: true });
    // the value stays; only the qualification changes
    const slower = beat(0.5, 0.2);
    expect(slower).toMatchObject({ value: 2.4, qualified: false });
    expect(slower.reason).toMatch(/0\.2500 s per image does not beat the sample's 0\.2 s/);
    expect(beat(0.7, 0.3).reason).toMatch(/accuracy 0.6 does not beat the sample's 0.7/);
    // a tie is not a win, on either axis
    expect(beat(0.6, 0.3).qualified).toBe(false);
    expect(beat(0.5, 0.25).qualified).toBe(false);
  });

  it("refuses beat-sample without the sample's time", () => {
    const e = errorOf(() => computeScore('lpcv2023-seg', 1, m, { qualify: 'beat-sample', sampleAccuracy: 0.5 }));
    expect(e.code).toBe('LPCV_E_FORMULA_INPUT');
    expect(e.detail).toMatchObject({ param: 'sampleSeconds' });
    expect(errorOf(() => computeScore('lpcv2023-seg', 1, m, { qualify: 'beat-sample', sampleAccuracy: 60, sampleSeconds: 1 })).message).toMatch(/fraction/);
  });

  it('gives no score without a time; 0 accuracy scores 0', () => {
    expect(computeScore('lpcv2023-seg', 1, run({ mdice: 0.6 })).missing).toEqual(['duration', 'images']);
    expect(computeScore('lpcv2023-seg', 1, run({ mdice: 0 }, { durationSeconds: 1, images: 2 }))).toMatchObject({ value: 0, qualified: true });
  });
});
