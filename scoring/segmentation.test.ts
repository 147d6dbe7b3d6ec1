import { describe, expect, it } from 'vitest';
import { segmentationScores } from './segmentation.js';
import { errorOf } from '../test/testing/lpcv-errors.js';

// Mask A, 3 classes (rows of a 3x3 image):
//   gt   0 0 1 | 0 1 1 | 2 2 2
//   pred 0 1 1 | 0 0 1 | 2 2 1
// class 0: TP 2, pred 3 -> FP 1, gt 3 -> FN 1: dice 4/6 = 2/3, iou 2/4 = 1/2
// class 1: TP 2, pred 4 -> FP 2, gt 3 -> FN 1: dice 4/7,       iou 2/5
// class 2: TP 2, pred 2 -> FP 0, gt 3 -> FN 1: dice 4/5,       iou 2/3
// image dice = (2/3 + 4/7 + 4/5) / 3 = (70 + 60 + 84) / 315 = 214/315; iou = (1/2 + 2/5 + 2/3) / 3 = 47/90
const A = { gt: [0, 0, 1, 0, 1, 1, 2, 2, 2], pred: [0, 1, 1, 0, 0, 1, 2, 2, 1] };

// Mask B: class 2 predicted once but absent from the ground truth (FP only).
//   gt   0 0 0 | 0 0 0 | 0 0 1
//   pred 0 0 0 | 0 2 0 | 0 0 1
// class 0: TP 7, FP 0, FN 1: dice 14/15, iou 7/8;  class 1: dice 1, iou 1;  class 2: TP 0, FP 1: dice 0, iou 0
// image dice = (14/15 + 1 + 0) / 3 = 29/45; iou = (7/8 + 1 + 0) / 3 = 5/8
const B = { gt: Uint8Array.from([0, 0, 0, 0, 0, 0, 0, 0, 1]), pred: Uint8Array.from([0, 0, 0, 0, 2, 0, 0, 0, 1]) };

describe('segmentationScores', () => {
  it('scores one hand-computed 3x3 mask', () => {
    const s = segmentationScores([A], 3);
    expect(s.mdice).toBeCloseTo(214 / 315, 14);
    expect(s.miou).toBeCloseTo(47 / 90, 14);
    expect(s.images).toBe(1);
    expect(s.skippedImages).toBe(0);
  });

  it('gives dice 0 to a class that is predicted but absent from the ground truth', () => {
    const s = segmentationScores([B], 3);
    expect(s.mdice).toBeCloseTo(29 / 45, 14);
    expect(s.miou).toBeCloseTo(5 / 8, 14);
    expect(s.perClass[2]).toEqual({ classIndex: 2, iou: 0, dice: 0 });
  });

  it('averages over images and pools the per-class counts over the data set', () => {
    // mdice = (214/315 + 29/45) / 2 = (214 + 203) / 630 = 417/630; miou = (47/90 + 5/8) / 2 = (188 + 225) / 720
    // pooled class 0: TP 2+7 = 9, pred 3+7 = 10, gt 3+8 = 11 -> dice 18/21 = 6/7, iou 9/(21-9) = 3/4
    // pooled class 1: TP 2+1 = 3, pred 4+1 = 5,  gt 3+1 = 4  -> dice 6/9 = 2/3,   iou 3/6 = 1/2
    // pooled class 2: TP 2+0 = 2, pred 2+1 = 3,  gt 3+0 = 3  -> dice 4/6 = 2/3,   iou 2/4 = 1/2
    const s = segmentationScores([A, B], 3);
    expect(s.mdice).toBeCloseTo(417 / 630, 14);
    expect(s.miou).toBeCloseTo(413 / 720, 14);
    expect(s.images).toBe(2);
    const expected = [
      [3 / 4, 6 / 7],
      [1 / 2, 2 / 3],
      [1 / 2, 2 / 3],
    ];
    expect(s.perClass.map((c) => c.classIndex)).toEqual([0, 1, 2]);
    s.perClass.forEach((c, i) => {
      expect(c.iou).toBeCloseTo(expected[i][0], 14);
      expect(c.dice).toBeCloseTo(expected[i][1], 14);
    });
  });

  it('leaves classes absent from both masks out of the image mean (nanmean) and reports them as null', () => {
    // all-zero gt and prediction: class 0 dice 1, classes 1..3 NaN -> image dice 1 (not 1/4)
    const s = segmentationScores([{ gt: [0, 0, 0, 0], pred: [0, 0, 0, 0] }], 4);
    expect(s.mdice).toBe(1);
    expect(s.miou).toBe(1);
    expect(s.perClass.slice(1).map((c) => c.dice)).toEqual([null, null, null]);
    // mask A with a 4th class that never occurs: same scores as with 3 classes
    const a4 = segmentationScores([A], 4);
    expect(a4.mdice).toBeCloseTo(214 / 315, 14);
    expect(a4.perClass[3]).toEqual({ classIndex: 3, iou: null, dice: null });
  });

  it('skips pixels whose ground truth is the ignore index', () => {
    // mask A with gt pixels 1 (gt 0, pred 1) and 8 (gt 2, pred 1) set to 255:
    // class 0: TP 2, FP 1 (pixel 4), FN 0: dice 4/5, iou 2/3
    // class 1: TP 2, FP 0 (pixels 1 and 8 are ignored), FN 1 (pixel 4): dice 4/5, iou 2/3
    // class 2: TP 2, FP 0, FN 0: dice 1, iou 1
    // image dice = (4/5 + 4/5 + 1) / 3 = 13/15; iou = (2/3 + 2/3 + 1) / 3 = 7/9
    const gt = [0, 255, 1, 0, 1, 1, 2, 2, 255];
    const s = segmentationScores([{ gt, pred: A.pred }], 3, { ignoreIndex: 255 });
    expect(s.mdice).toBeCloseTo(13 / 15, 14);
    expect(s.miou).toBeCloseTo(7 / 9, 14);
    // without an ignore index 255 is a malformed ground truth
    expect(errorOf(() => segmentationScores([{ gt, pred: A.pred }], 3)).code).toBe('LPCV_E_GT_MALFORMED');
  });

  it('skips images with no scorable pixel and counts them', () => {
    const empty = { gt: [], pred: [] };
    const allIgnored = { gt: [255, 255], pred: [0, 1] };
    const s = segmentationScores([A, empty, allIgnored], 3, { ignoreIndex: 255 });
    expect(s.mdice).toBeCloseTo(214 / 315, 14);
    expect(s.images).toBe(3);
    expect(s.skippedImages).toBe(2);
    expect(errorOf(() => segmentationScores([empty], 3)).code).toBe('LPCV_E_GT_MALFORMED');
    expect(errorOf(() => segmentationScores([], 3)).code).toBe('LPCV_E_PRED_MISMATCH');
  });

  it('reads the pairs from a generator once', () => {
    function* pairs() {
      yield A;
      yield B;
    }
    expect(segmentationScores(pairs(), 3).mdice).toBeCloseTo(417 / 630, 14);
  });

  it('rejects mismatched sizes and out-of-range predictions', () => {
    expect(errorOf(() => segmentationScores([{ gt: [0, 1], pred: [0] }], 3)).code).toBe('LPCV_E_PRED_MISMATCH');
    expect(errorOf(() => segmentationScores([{ gt: [0, 1], pred: [0, 3] }], 3)).code).toBe('LPCV_E_PRED_MISMATCH');
    expect(errorOf(() => segmentationScores([{ gt: [0, 1], pred: [0, -1] }], 3)).code).toBe('LPCV_E_PRED_MISMATCH');
    expect(errorOf(() => segmentationScores([{ gt: [0, 1], pred: [0, 0.5] }], 3)).code).toBe('LPCV_E_PRED_MISMATCH');
    expect(errorOf(() => segmentationScores([A], 3, { ignoreIndex: 2 })).code).toBe('LPCV_E_FORMULA_INPUT');
  });
});
