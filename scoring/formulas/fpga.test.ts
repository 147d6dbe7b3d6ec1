import { describe, expect, it } from 'vitest';
import { computeScore } from './registry.js';
import { run } from './testing/measures.js';

describe('lpcv2020-fpga v1 (reconstruction): top-1 / wall seconds per image', () => {
  it('divides top-1 by the batch wall clock over its images', () => {
    // 50 s for 1000 images = 0.05 s per image; 0.75 / 0.05 = 15
    const r = computeScore('lpcv2020-fpga', 1, run({ top1: 0.75, top5: 0.9 }, { durationSeconds: 50, images: 1000, latencyMs: 3 }));
    expect(r.value).toBeCloseTo(15, 12);
    expect(r.inputs?.seconds_per_image).toEqual({ value: 0.05, unit: 's', from: 'duration / images' });
  });

  it('uses the mean latency with time=latency, and the wall clock first with time=auto', () => {
    // 0.75 / 0.020 s = 37.5
    const m = run({ top1: 0.75 }, { latencyMs: 20 });
    expect(computeScore('lpcv2020-fpga', 1, m, { time: 'latency' }).value).toBeCloseTo(37.5, 12);
    expect(computeScore('lpcv2020-fpga', 1, m, { time: 'auto' }).value).toBeCloseTo(37.5, 12);
    const both = run({ top1: 0.75 }, { latencyMs: 20, durationSeconds: 50, images: 1000 });
    expect(computeScore('lpcv2020-fpga', 1, both, { time: 'auto' }).value).toBeCloseTo(15, 12);
  });

  it('gives no score without a wall clock (time=wall), or at 0 s per image', () => {
    const none = computeScore('lpcv2020-fpga', 1, run({ top1: 0.75 }, { latencyMs: 20 }));
    expect(none).toMatchObject({ value: null, qualified: false, missing: ['duration', 'images'] });
    expect(computeScore('lpcv2020-fpga', 1, run({ top1: 0.75 }, { durationSeconds: 0, images: 10 })).reason).toMatch(/0 s per image/);
    expect(computeScore('lpcv2020-fpga', 1, run({ top1: 0.75 }, { durationSeconds: 5, images: 0 })).missing).toEqual(['images']);
  });
});

describe('lpcv2021-fpga v1: 10^4 / E_J x ReLU(mAP - 0.2) x ReLU(fps - 5)', () => {
  it('computes the published formula with fps = images / wall seconds', () => {
    // 20288 images in 1014.4 s = 20 fps; 1e4 / 2000 J x (0.35 - 0.2) x (20 - 5) = 5 x 0.15 x 15 = 11.25
    const r = computeScore('lpcv2021-fpga', 1, run({ map: 0.35 }, { energyJoules: 2000, durationSeconds: 1014.4, images: 20288 }));
    expect(r.value).toBeCloseTo(11.25, 10);
    expect(r.qualified).toBe(true);
    expect(r.inputs?.fps?.from).toBe('images / duration');
    expect(r.inputs?.fps?.value).toBeCloseTo(20, 12);
  });

  it('takes fps as given first, else from the mean latency', () => {
    // given 10 fps: 1e4 / 1000 x 0.3 x 5 = 15
    expect(computeScore('lpcv2021-fpga', 1, run({ map: 0.5 }, { energyJoules: 1000, fps: 10, durationSeconds: 1, images: 1000 })).value).toBeCloseTo(15, 12);
    // 50 ms per image = 20 fps: 1e4 / 1000 x 0.3 x 15 = 45
    const lat = computeScore('lpcv2021-fpga', 1, run({ map: 0.5 }, { energyJoules: 1000, latencyMs: 50 }));
    expect(lat.value).toBeCloseTo(45, 10);
    expect(lat.inputs?.fps?.from).toMatch(/mean latency/);
  });

  it('scores 0, not qualified, at or under the floors', () => {
    const low = computeScore('lpcv2021-fpga', 1, run({ map: 0.2 }, { energyJoules: 1000, fps: 30 }));
    expect(low).toMatchObject({ value: 0, qualified: false });
    expect(low.reason).toMatch(/accuracy 0.2 is not above 0.2/);
    const slow = computeScore('lpcv2021-fpga', 1, run({ map: 0.4 }, { energyJoules: 1000, fps: 5 }));
    expect(slow).toMatchObject({ value: 0, qualified: false });
    expect(slow.reason).toMatch(/5\.000 fps is not above 5/);
  });

  it('gives no score without energy, with 0 J, or without any way to get fps', () => {
    expect(computeScore('lpcv2021-fpga', 1, run({ map: 0.4 }, { fps: 30 })).missing).toEqual(['energy']);
    expect(computeScore('lpcv2021-fpga', 1, run({ map: 0.4 }, { energyJoules: 0, fps: 30 }))).toMatchObject({ value: null, qualified: false });
    expect(computeScore('lpcv2021-fpga', 1, run({ map: 0.4 }, { energyJoules: 10 })).missing).toEqual(['fps']);
  });
});
