import { describe, expect, it } from 'vitest';
import { DT_FP, DT_IGNORED, DT_TP, matchImage } from './coco-match.js';

const ALL = { label: 'all', min: 0, max: 1e10 } as const;
const SMALL = { label: 'small', min: 0, max: 1024 } as const;

describe('matchImage', () => {
  it('gives a detection the later of two ground truths with equal IoU, as pycocotools does', () => {
    // d0: IoU 0.8 with g0 and g1; d1: IoU 0.4 with g0, 0.9 with g1. Threshold 0.5.
    // d0 takes g1 (equal IoU, the later one wins), so d1 finds g1 taken and g0 below 0.5: FP.
    const m = matchImage(
      { ious: Float64Array.from([0.8, 0.8, 0.4, 0.9]), numDets: 2, gtArea: [100, 100], gtCrowd: [false, false], dtArea: [100, 100] },
      ALL,
      [0.5],
    );
    expect([...m.states]).toEqual([DT_TP, DT_FP]);
    expect(m.numGt).toBe(2);
  });

  it('matches at IoU exactly equal to the threshold', () => {
    const m = matchImage({ ious: Float64Array.from([0.6]), numDets: 1, gtArea: [100], gtCrowd: [false], dtArea: [60] }, ALL, [0.6, 0.65]);
    expect([...m.states]).toEqual([DT_TP, DT_FP]);
  });

  it('prefers a ground truth that counts over an ignored one with a higher IoU', () => {
    // g0 is outside the small range (area 5000, ignored), g1 counts. d0: IoU 0.9 with g0, 0.6 with g1.
    // Ground truths that count are tried first: d0 takes g1 (0.6) and stops before the ignored g0.
    const m = matchImage({ ious: Float64Array.from([0.9, 0.6]), numDets: 1, gtArea: [5000, 100], gtCrowd: [false, false], dtArea: [100] }, SMALL, [0.5]);
    expect([...m.states]).toEqual([DT_TP]);
    expect(m.numGt).toBe(1);
    // At 0.7 only the ignored g0 qualifies: the detection is ignored, neither TP nor FP.
    expect([
      ...matchImage({ ious: Float64Array.from([0.9, 0.6]), numDets: 1, gtArea: [5000, 100], gtCrowd: [false, false], dtArea: [100] }, SMALL, [0.7]).states,
    ]).toEqual([DT_IGNORED]);
  });

  it('lets a crowd region absorb several detections and ignores unmatched detections outside the range', () => {
    // g0 crowd; d0, d1 inside it; d2 matches nothing and has area 2000 > 1024 (small range): ignored.
    const m = matchImage({ ious: Float64Array.from([1, 1, 0]), numDets: 3, gtArea: [1600], gtCrowd: [true], dtArea: [100, 100, 2000] }, SMALL, [0.5]);
    expect([...m.states]).toEqual([DT_IGNORED, DT_IGNORED, DT_IGNORED]);
    expect(m.numGt).toBe(0);
  });
});
