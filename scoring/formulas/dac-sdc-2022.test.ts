import { describe, expect, it } from 'vitest';
import { computeScore } from './registry.js';
import { run } from './testing/measures.js';

const score = (iou: number, joules: number, fps: number) => computeScore('dac-sdc-2022', 1, run({ iou }, { energyJoules: joules, fps }));

describe('dac-sdc-2022 v1: 10^2 / log2(E_J) x max(ReLU(1 - 5 ReLU(0.7 - IoU)), 0.1) x ReLU(1 - ReLU(1 - FPS/30))', () => {
  it('computes each term', () => {
    // 1024 J: log2 = 10. IoU 0.6: 1 - 5 x 0.1 = 0.5. 15 fps: 1 - (1 - 0.5) = 0.5. 100 / 10 x 0.5 x 0.5 = 2.5
    const r = score(0.6, 1024, 15);
    expect(r.value).toBeCloseTo(2.5, 12);
    expect(r.inputs).toMatchObject({ log2_energy: { value: 10 }, fps_term: { value: 0.5 } });
    expect(r.inputs?.iou_term?.value).toBeCloseTo(0.5, 12);
    // IoU 0.8 (>= 0.7: term 1), 60 fps (>= 30: term 1): 100 / 10 = 10
    expect(score(0.8, 1024, 60).value).toBe(10);
    // IoU 0.3: 1 - 5 x 0.4 = -1 -> ReLU 0 -> floor 0.1: 10 x 0.1 = 1
    expect(score(0.3, 1024, 30).value).toBeCloseTo(1, 12);
    // 0 fps: term 0, score 0 (qualified: the formula gives 0, no floor was set)
    expect(score(0.8, 1024, 0)).toMatchObject({ value: 0, qualified: true });
  });

  it('gives no score at or under 1 J, where log2(E) <= 0', () => {
    for (const j of [1, 0.5, 0]) {
      const r = score(0.8, j, 30);
      expect(r).toMatchObject({ value: null, qualified: false });
      expect(r.reason).toMatch(/log2\(E\) <= 0/);
    }
    // just over 1 J it is a (large) real number: log2(2) = 1 -> 100
    expect(score(0.8, 2, 30).value).toBe(100);
  });

  it('names missing energy or fps', () => {
    expect(computeScore('dac-sdc-2022', 1, run({ iou: 0.7 }, { fps: 30 })).missing).toEqual(['energy']);
    expect(computeScore('dac-sdc-2022', 1, run({ iou: 0.7 }, { energyJoules: 100 })).missing).toEqual(['fps']);
  });
});
