import { describe, expect, it } from 'vitest';
import { decodeSsd, nonMaximumSuppression } from './ssd-decode.js';
import { ssdPriorCount, ssdPriors } from './ssd-priors.js';
import { ssdSpecSchema } from './ssd-spec.js';

const spec = ssdSpecSchema.parse({ featureMaps: [{ size: 2, minSize: 10, maxSize: 20, aspectRatios: [2] }] });

describe('ssdPriors', () => {
  it("lays priors out as SSD does: per cell row by row, the min square, the sqrt(min x max) square, then each ratio's two boxes", () => {
    const priors = ssdPriors(spec, 20, 20);
    expect(ssdPriorCount(spec)).toBe(16);
    expect(priors.length).toBe(16 * 4);
    const s = Math.sqrt(200);
    const q = Math.sqrt(2);
    expect([...priors.slice(0, 16)]).toEqual([5, 5, 10, 10, 5, 5, s, s, 5, 5, 10 * q, 10 / q, 5, 5, 10 / q, 10 * q]);
    // The second cell is to the right of the first, the third below it.
    expect([...priors.slice(16, 18)]).toEqual([15, 5]);
    expect([...priors.slice(32, 34)]).toEqual([5, 15]);
    // Non-square input: centres scale with each axis.
    expect([...ssdPriors(spec, 40, 20).slice(0, 2)]).toEqual([10, 5]);
  });
});

describe('nonMaximumSuppression', () => {
  it('keeps the best of overlapping boxes and every box that overlaps no kept one by more than the threshold', () => {
    const boxes: [number, number, number, number][] = [
      [0, 0, 10, 10],
      [1, 0, 11, 10], // IoU with the first 90/110 = 0.818
      [20, 20, 30, 30],
      [5, 0, 15, 10], // IoU with the first 50/150 = 0.333, with the second 60/140 = 0.43
    ];
    expect(nonMaximumSuppression(boxes, [0.8, 0.9, 0.5, 0.7], 0.45)).toEqual([1, 3, 2]);
    expect(nonMaximumSuppression(boxes, [0.8, 0.9, 0.5, 0.7], 0.4)).toEqual([1, 2]);
    // Equal scores: the lower index first.
    expect(nonMaximumSuppression([boxes[0]!, boxes[1]!], [0.5, 0.5], 0.45)).toEqual([0]);
  });
});

describe('decodeSsd', () => {
  const one = ssdSpecSchema.parse({ featureMaps: [{ size: 1, minSize: 8 }], scoreThreshold: 0.1 });
  const priors = ssdPriors(one, 16, 16); // one prior: centre (8, 8), 8 x 8

  it('decodes offsets with the variances and softmaxes the logits, background excluded', () => {
    // Centre x moves by 1 x 0.1 x 8 = 0.8 px, the width doubles (ln 2 / 0.2), the height stays.
    const loc = [1, 0, Math.log(2) / 0.2, 0];
    // Logits: background 0, class 0 ln 3, class 1 ln 1 = 0 -> probabilities 1/5, 3/5, 1/5.
    const dets = decodeSsd({ locations: loc, confidences: [0, Math.log(3), 0] }, priors, one, 2, 16, 16);
    expect(dets).toHaveLength(2);
    expect(dets[0]!.classIndex).toBe(0);
    expect(dets[0]!.score).toBeCloseTo(0.6, 12);
    expect(dets[0]!.box.map((v) => Number(v.toFixed(9)))).toEqual([0.8, 4, 16, 12]);
    expect(dets[1]).toMatchObject({ classIndex: 1, score: expect.closeTo(0.2, 12) });
  });

  it('clips to the image unless told not to, drops scores under the threshold, and keeps maxDetections', () => {
    const wide = [0, 0, Math.log(4) / 0.2, 0]; // 32 px wide around x = 8: [-8, 24] before clipping
    expect(decodeSsd({ locations: wide, confidences: [0, 0.9, 0.05] }, priors, { ...one, confidences: 'probabilities' }, 2, 16, 16)).toEqual([
      { box: [0, 4, 16, 12], score: 0.9, classIndex: 0 },
    ]);
    const unclipped = decodeSsd({ locations: wide, confidences: [0, 0.9, 0.05] }, priors, { ...one, confidences: 'probabilities', clip: false }, 2, 16, 16);
    expect(unclipped[0]!.box).toEqual([-8, 4, 24, 12]);
    const many = ssdSpecSchema.parse({ featureMaps: [{ size: 4, minSize: 2 }], maxDetections: 3, confidences: 'probabilities' });
    const p = ssdPriors(many, 16, 16);
    const dets = decodeSsd(
      { locations: new Array(16 * 4).fill(0), confidences: Array.from({ length: 16 }, (_, i) => [0, (i + 1) / 17]).flat() },
      p,
      many,
      1,
      16,
      16,
    );
    expect(dets.map((d) => Number(d.score.toFixed(6)))).toEqual([16 / 17, 15 / 17, 14 / 17].map((v) => Number(v.toFixed(6))));
  });
});
