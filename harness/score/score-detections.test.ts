import { describe, expect, it } from 'vitest';
import { evaluateCocoDetections, type CocoGroundTruth } from '../../scoring/coco-map.js';
import type { LabelSet } from '../datasets/types.js';
import type { DetectionPrediction, Predictions } from '../measurement.js';
import { resolveTrack } from '../tracks/load-track.js';
import type { Track } from '../tracks/track.js';
import { scorePredictions } from './score-predictions.js';

/** A detection track in memory: the sample track's settings with three classes named like the categories. */
const track: Track = { ...resolveTrack('fashion-mnist'), name: 'det-test', task: 'detection', classes: ['shirt', 'bag', 'hat'], metrics: ['map', 'map50'] };

// Category ids are not class indices: the scorer maps them by name.
const groundTruth: CocoGroundTruth = {
  images: [
    { id: 40, width: 64, height: 64, file_name: 'a.png' },
    { id: 41, width: 64, height: 64, file_name: 'b.png' },
  ],
  annotations: [
    { id: 1, image_id: 40, category_id: 7, bbox: [10, 10, 20, 30], area: 600 },
    { id: 2, image_id: 40, category_id: 3, bbox: [40, 5, 10, 10], area: 100 },
    { id: 3, image_id: 41, category_id: 7, bbox: [0, 0, 32, 32], area: 1024 },
  ],
  categories: [
    { id: 7, name: 'shirt' },
    { id: 3, name: 'bag' },
  ],
};
const labels: LabelSet = { task: 'detection', ids: ['a.png', 'b.png'], groundTruth };
const detections = (d: DetectionPrediction[][]): Predictions => ({ kind: 'detections', ids: ['a.png', 'b.png'], detections: d });

describe('scorePredictions on detection labels', () => {
  it('scores perfect boxes as mAP 1, with AP per class named and mapped to the track classes', async () => {
    const r = await scorePredictions(
      track,
      detections([
        [
          { box: [10, 10, 30, 40], score: 0.9, classIndex: 0 },
          { box: [40, 5, 50, 15], score: 0.8, classIndex: 1 },
        ],
        [{ box: [0, 0, 32, 32], score: 0.7, classIndex: 0 }],
      ]),
      labels,
    );
    expect(r.accuracy).toEqual({ map: 1, map50: 1 });
    // AP per class as scoring/coco-map.ts computes it: the mean of 101 precisions, 1 to within float summation.
    expect(r.perClass.map((c) => ({ ...c, ap: Number((c.ap as number).toFixed(12)), ap50: Number((c.ap50 as number).toFixed(12)) }))).toEqual([
      { classIndex: 1, name: 'bag', categoryId: 3, ap: 1, ap50: 1 },
      { classIndex: 0, name: 'shirt', categoryId: 7, ap: 1, ap50: 1 },
    ]);
  });

  it('equals the COCO evaluation of the same boxes written as a results file (corners -> x, y, width, height)', async () => {
    const mine: DetectionPrediction[][] = [
      [
        { box: [12, 8, 31, 41], score: 0.95, classIndex: 0 },
        { box: [38, 6, 49, 14], score: 0.6, classIndex: 1 },
        { box: [0, 40, 20, 60], score: 0.55, classIndex: 0 },
      ],
      [
        { box: [2, 1, 30, 33], score: 0.4, classIndex: 0 },
        { box: [30, 30, 60, 60], score: 0.3, classIndex: 1 },
      ],
    ];
    const r = await scorePredictions(track, detections(mine), labels);
    const results = mine.flatMap((boxes, i) =>
      boxes.map((d) => ({
        image_id: groundTruth.images[i]!.id,
        category_id: d.classIndex === 0 ? 7 : 3,
        bbox: [d.box[0], d.box[1], d.box[2] - d.box[0], d.box[3] - d.box[1]] as [number, number, number, number],
        score: d.score,
      })),
    );
    const want = evaluateCocoDetections(groundTruth, results);
    expect(r.accuracy).toEqual({ map: want.map, map50: want.map50 });
    expect(r.accuracy.map).toBeGreaterThan(0);
    expect(r.accuracy.map).toBeLessThan(1);
  });

  it('leaves out boxes of a class the ground truth has no category for, as COCOeval does', async () => {
    const base: DetectionPrediction[][] = [[{ box: [10, 10, 30, 40], score: 0.9, classIndex: 0 }], []];
    const withHat: DetectionPrediction[][] = [[...base[0]!, { box: [0, 0, 64, 64], score: 0.99, classIndex: 2 }], []];
    expect(await scorePredictions(track, detections(withHat), labels)).toEqual(await scorePredictions(track, detections(base), labels));
  });

  it("refuses a class index the track does not have (the submission's), a category the track does not name (the track's), and other kinds", async () => {
    const bad = await scorePredictions(track, detections([[{ box: [0, 0, 1, 1], score: 1, classIndex: 3 }], []]), labels).catch((e: unknown) => e);
    expect(bad).toMatchObject({ code: 'LPCV_E_PRED_MALFORMED', message: expect.stringMatching(/has class 3; the track has 3 classes/) });
    const sock = { ...groundTruth, categories: [...groundTruth.categories, { id: 9, name: 'sock' }] };
    const e = await scorePredictions(track, detections([[], []]), { ...labels, groundTruth: sock }).catch((x: unknown) => x);
    expect(e).toMatchObject({ code: 'LPCV_E_TRACK_INVALID', message: expect.stringMatching(/"sock" \(id 9\) is not one of the track's classes/) });
    const topk: Predictions = { kind: 'topk', ids: ['a.png', 'b.png'], topk: [[0], [1]] };
    expect((await scorePredictions(track, topk, labels).catch((x: unknown) => x)) as object).toMatchObject({ code: 'LPCV_E_PRED_MISMATCH' });
  });
});
