import { describe, expect, it } from 'vitest';
import { evaluateCocoDetections, type CocoDetection, type CocoGroundTruth, type CocoMetrics } from './coco-map.js';
import { errorOf } from '../test/testing/lpcv-errors.js';

type Box = [number, number, number, number];
type Ann = CocoGroundTruth['annotations'][number];
/** An annotation before numbering: id is its 1-based position, area defaults to w*h. */
type AnnSpec = Omit<Ann, 'id' | 'area'> & { area?: number };

/** Ground truth over the given image ids and categories 1..n; areas default to w*h. */
function groundTruth(imageIds: number[], anns: AnnSpec[], categories = 1): CocoGroundTruth {
  return {
    images: imageIds.map((id) => ({ id })),
    annotations: anns.map((a, n) => ({ ...a, id: n + 1, area: a.area ?? a.bbox[2] * a.bbox[3] })),
    categories: Array.from({ length: categories }, (_, k) => ({ id: k + 1, name: `class${k + 1}` })),
  };
}
const ann = (image_id: number, bbox: Box, extra: Partial<Ann> = {}): AnnSpec => ({
  image_id,
  category_id: 1,
  bbox,
  ...extra,
});
const det = (image_id: number, bbox: Box, score: number, category_id = 1): CocoDetection => ({ image_id, category_id, bbox, score });

const STATS = ['map', 'map50', 'map75', 'mapSmall', 'mapMedium', 'mapLarge', 'ar1', 'ar10', 'ar100', 'arSmall', 'arMedium', 'arLarge'] as const;
/** Compares the 12 numbers to 12 decimals: pycocotools' precision is TP / (TP + FP + 2^-52), a hair under exact. */
function expectStats(m: CocoMetrics, expected: Record<(typeof STATS)[number], number>): void {
  for (const k of STATS) expect(m[k], k).toBeCloseTo(expected[k], 12);
}

describe('evaluateCocoDetections', () => {
  it('computes a hand-built precision/recall curve', () => {
    // One image, three small ground truths (area 100): A [0,0,10,10], B [20,0,10,10], C [40,0,10,10].
    // Detections by score: .9 = A exactly (IoU 1); .8 nowhere (FP); .7 on B with IoU 72/100 = 0.72; .6 nowhere.
    // IoU thresholds .50-.70 (5 of 10): TP FP TP FP. cum TP 1 1 2 2, FP 0 1 1 2,
    //   recall 1/3 1/3 2/3 2/3, precision 1 1/2 2/3 1/2 -> envelope 1 2/3 2/3 1/2.
    //   Recall points 0.00-0.33 (34) read 1, 0.34-0.66 (33) read 2/3, 0.67-1.00 (34) read 0:
    //   AP = (34 + 33 * 2/3) / 101 = 56/101.
    // Thresholds .75-.95 (5): TP FP FP FP. recall 1/3 throughout, precision 1 1/2 1/3 1/4 (already falling):
    //   AP = 34/101.
    // AP = (5 * 56 + 5 * 34) / (10 * 101) = 45/101; AP50 = 56/101; AP75 = 34/101.
    // AR100 = (5 * 2/3 + 5 * 1/3) / 10 = 1/2; AR1 (only the .9 detection, a TP everywhere) = 1/3.
    // All ground truth is small: the medium and large entries have none (-1).
    const gt = groundTruth([1], [ann(1, [0, 0, 10, 10]), ann(1, [20, 0, 10, 10]), ann(1, [40, 0, 10, 10])]);
    const dets = [det(1, [200, 200, 10, 10], 0.6), det(1, [20, 0, 10, 7.2], 0.7), det(1, [0, 0, 10, 10], 0.9), det(1, [100, 100, 10, 10], 0.8)];
    const m = evaluateCocoDetections(gt, dets);
    expectStats(m, {
      map: 45 / 101,
      map50: 56 / 101,
      map75: 34 / 101,
      mapSmall: 45 / 101,
      mapMedium: -1,
      mapLarge: -1,
      ar1: 1 / 3,
      ar10: 1 / 2,
      ar100: 1 / 2,
      arSmall: 1 / 2,
      arMedium: -1,
      arLarge: -1,
    });
    expect(m.perClass).toHaveLength(1);
    expect(m.perClass[0]).toMatchObject({ categoryId: 1, name: 'class1' });
    expect(m.perClass[0].ap).toBeCloseTo(45 / 101, 12);
    expect(m.perClass[0].ap50).toBeCloseTo(56 / 101, 12);
  });

  it('lets the best match win: a duplicate with higher IoU below a better-scored detection', () => {
    // One ground truth [0,0,10,10]. Detection .9 covers [0,0,10,6]: IoU 60/100 = 0.6; detection .8 is exact.
    // Thresholds .50 .55 .60 (IoU 0.6 >= 0.6 matches): .9 is TP, .8 finds the object taken: FP. AP 1.
    // Thresholds .65-.95 (7): .9 is FP, .8 TP: recall 0 1, precision 0 1/2 -> envelope 1/2 1/2: AP 1/2.
    // AP = (3 * 1 + 7 * 1/2) / 10 = 0.65; AR = 1 at every threshold.
    const gt = groundTruth([1], [ann(1, [0, 0, 10, 10])]);
    const m = evaluateCocoDetections(gt, [det(1, [0, 0, 10, 6], 0.9), det(1, [0, 0, 10, 10], 0.8)]);
    expect(m.map).toBeCloseTo(0.65, 12);
    expect(m.map50).toBeCloseTo(1, 12);
    expect(m.map75).toBeCloseTo(0.5, 12);
    expect(m.ar100).toBe(1);
    expect(m.ar1).toBeCloseTo(0.3, 12); // the top detection alone finds it at 3 of 10 thresholds
  });

  it('scores a perfect detector 1', () => {
    // Two images, two categories, every object found exactly: precision 1 / (1 + 2^-52) at every point.
    const gt = groundTruth(
      [1, 2],
      [
        ann(1, [0, 0, 10, 10]), // small
        ann(1, [50, 50, 40, 40], { category_id: 2 }), // medium (1600)
        ann(2, [0, 0, 200, 100]), // large (20000)
      ],
      2,
    );
    const dets = [det(1, [0, 0, 10, 10], 0.9), det(1, [50, 50, 40, 40], 0.8, 2), det(2, [0, 0, 200, 100], 0.7)];
    expectStats(evaluateCocoDetections(gt, dets), {
      map: 1,
      map50: 1,
      map75: 1,
      mapSmall: 1,
      mapMedium: 1,
      mapLarge: 1,
      ar1: 1,
      ar10: 1,
      ar100: 1,
      arSmall: 1,
      arMedium: 1,
      arLarge: 1,
    });
  });

  it('scores no detections at all 0, and -1 where there is no ground truth', () => {
    // small and large ground truth only; nothing detected: recall 0 and precision 0 everywhere.
    const gt = groundTruth([1], [ann(1, [0, 0, 10, 10]), ann(1, [0, 0, 200, 100], { category_id: 2 })], 2);
    const m = evaluateCocoDetections(gt, []);
    expectStats(m, {
      map: 0,
      map50: 0,
      map75: 0,
      mapSmall: 0,
      mapMedium: -1,
      mapLarge: 0,
      ar1: 0,
      ar10: 0,
      ar100: 0,
      arSmall: 0,
      arMedium: -1,
      arLarge: 0,
    });
    expect(m.perClass.map((c) => c.ap)).toEqual([0, 0]);
  });

  it('leaves a category without ground truth out of the mean', () => {
    // Category 1 found exactly; category 2 has no ground truth but two detections. pycocotools: -1 for
    // category 2, excluded, so AP = 1 (not 1/2).
    const gt = groundTruth([1], [ann(1, [0, 0, 10, 10])], 2);
    const m = evaluateCocoDetections(gt, [det(1, [0, 0, 10, 10], 0.5), det(1, [0, 0, 10, 10], 0.9, 2), det(1, [5, 5, 10, 10], 0.8, 2)]);
    expect(m.map).toBeCloseTo(1, 12);
    expect(m.ar100).toBe(1);
    expect(m.perClass[1]).toEqual({ categoryId: 2, name: 'class2', ap: null, ap50: null });
    // No ground truth at all: every number is -1.
    const none = evaluateCocoDetections(groundTruth([1], []), [det(1, [0, 0, 10, 10], 0.5)]);
    for (const k of STATS) expect(none[k], k).toBe(-1);
  });

  it('neither rewards nor punishes detections in a crowd region, and does not count the crowd as an object', () => {
    // Ground truth A [0,0,10,10] (area 100) and a crowd region [50,0,40,40] (area 1600, iscrowd 1).
    // .9 [55,5,10,10] and .8 [70,20,10,10] lie inside the crowd: IoU = intersection / detection area = 1
    // (a plain IoU would be 100/1600), both matched to it, both ignored. .7 = A exactly, .6 nowhere (FP).
    // Counted: TP then FP over 1 object: recall 0 0 1 1 (ignored ones keep their place), precision 0 0 1 1/2
    // -> envelope 1 1 1 1/2: every recall point reads 1, AP = 1. (Counting the two as FPs would give 1/3.)
    // AR1: the top detection is ignored, so one detection per image finds nothing: 0.
    // Medium: only the crowd is medium and it never counts: -1.
    const gt = groundTruth([1], [ann(1, [0, 0, 10, 10]), ann(1, [50, 0, 40, 40], { iscrowd: 1 })]);
    const dets = [det(1, [55, 5, 10, 10], 0.9), det(1, [70, 20, 10, 10], 0.8), det(1, [0, 0, 10, 10], 0.7), det(1, [200, 200, 10, 10], 0.6)];
    expectStats(evaluateCocoDetections(gt, dets), {
      map: 1,
      map50: 1,
      map75: 1,
      mapSmall: 1,
      mapMedium: -1,
      mapLarge: -1,
      ar1: 0,
      ar10: 1,
      ar100: 1,
      arSmall: 1,
      arMedium: -1,
      arLarge: -1,
    });
  });

  it('keeps only the 100 best detections per image', () => {
    // One object; 100 false positives at score .9 and the exact detection at .5, ranked 101st: dropped.
    const gt = groundTruth([1], [ann(1, [0, 0, 10, 10])]);
    const fps = (n: number) => Array.from({ length: n }, (_, i) => det(1, [1000 + 20 * i, 0, 10, 10], 0.9));
    const dropped = evaluateCocoDetections(gt, [...fps(100), det(1, [0, 0, 10, 10], 0.5)]);
    expect(dropped.map).toBe(0);
    expect(dropped.ar100).toBe(0);
    // With 99 false positives it is 100th and kept: recall reaches 1 at the 100th detection with precision
    // 1/100; the envelope carries 1/100 back to the start, so all 101 recall points read 0.01: AP = 0.01.
    // AR100 = 1; AR10 = AR1 = 0 (it is not among the best 10).
    const kept = evaluateCocoDetections(gt, [...fps(99), det(1, [0, 0, 10, 10], 0.5)]);
    expect(kept.map).toBeCloseTo(0.01, 12);
    expect(kept.ar100).toBe(1);
    expect(kept.ar10).toBe(0);
    expect(kept.ar1).toBe(0);
  });

  it('ranks detections of equal score by ascending image id, whatever the file order', () => {
    // Images 1 and 2 (listed 2, 1), one object each. Both detections score .5: image 2's misses (FP),
    // image 1's is exact (TP). pycocotools concatenates images by ascending id and sorts stably: TP, FP.
    // recall 1/2 1/2, precision 1 1/2: recall points 0.00-0.50 (51) read 1, the rest 0: AP = 51/101.
    // (FP first would give 51 * 1/2 / 101.)
    const gt = groundTruth([2, 1], [ann(1, [0, 0, 10, 10]), ann(2, [0, 0, 10, 10])]);
    const m = evaluateCocoDetections(gt, [det(2, [50, 50, 10, 10], 0.5), det(1, [0, 0, 10, 10], 0.5)]);
    expect(m.map).toBeCloseTo(51 / 101, 12);
    expect(m.ar100).toBe(0.5);
  });

  it('buckets ground truth by its area field and ignores unmatched detections outside a bucket', () => {
    // A [0,0,10,10] area 100 (small). Detections: .9 a large FP [100,100,100,100] (area 10000), .8 = A.
    // all: FP then TP: recall 0 1, precision 0 1/2 -> envelope 1/2 1/2: AP 1/2 at every threshold.
    // small: the large FP is outside the bucket and matches nothing: ignored, AP 1.
    // large: no large ground truth: -1, although a large detection exists.
    const gt = groundTruth([1], [ann(1, [0, 0, 10, 10])]);
    const m = evaluateCocoDetections(gt, [det(1, [100, 100, 100, 100], 0.9), det(1, [0, 0, 10, 10], 0.8)]);
    expect(m.map).toBeCloseTo(0.5, 12);
    expect(m.mapSmall).toBeCloseTo(1, 12);
    expect(m.mapLarge).toBe(-1);
    // A 40x40 box (1600 = medium by w*h) whose annotation says area 900 is small.
    const byField = evaluateCocoDetections(groundTruth([1], [ann(1, [0, 0, 40, 40], { area: 900 })]), [det(1, [0, 0, 40, 40], 0.9)]);
    expect(byField.mapSmall).toBeCloseTo(1, 12);
    expect(byField.mapMedium).toBe(-1);
  });

  it('evaluates only listed images and rejects detections for anything else', () => {
    // An annotation on an unlisted image is left out, as pycocotools leaves it out.
    const gt = groundTruth([1], [ann(1, [0, 0, 10, 10]), ann(7, [0, 0, 10, 10])]);
    expect(evaluateCocoDetections(gt, [det(1, [0, 0, 10, 10], 0.9)]).map).toBeCloseTo(1, 12);
    expect(errorOf(() => evaluateCocoDetections(gt, [det(7, [0, 0, 10, 10], 0.9)])).code).toBe('LPCV_E_PRED_MISMATCH');
    expect(errorOf(() => evaluateCocoDetections(gt, [det(1, [0, 0, 10, 10], 0.9, 5)])).code).toBe('LPCV_E_PRED_MISMATCH');
    expect(errorOf(() => evaluateCocoDetections(gt, [det(1, [0, 0, 10, 10], NaN)])).code).toBe('LPCV_E_PRED_MALFORMED');
    expect(errorOf(() => evaluateCocoDetections(gt, [det(1, [0, 0, Infinity, 10], 0.5)])).code).toBe('LPCV_E_PRED_MALFORMED');
  });
});
