/**
 * Semantic segmentation scores as LPCVC 2023 defined them: per image, per class c, over the pixels whose
 * ground truth is not the ignore index,
 *   dice_c = 2 TP / (2 TP + FP + FN),   iou_c = TP / (TP + FP + FN);
 * a class with 2 TP + FP + FN = 0 in that image (neither in the ground truth nor predicted) is NaN and left
 * out of that image's mean (numpy's nanmean over classes); the score is the mean over images of those means.
 *
 * NaN policy for whole images: an image with no scorable pixel at all (every pixel is the ignore index, or the
 * image is empty) has every class NaN, so its nanmean is NaN. The 2023 referee would have let that NaN poison
 * the whole mean; here such an image is left out of the image mean (it says nothing about the model) and
 * counted in `skippedImages`. Any image with one scorable pixel has at least one defined class (the pixel's
 * ground-truth class), so nothing else is ever skipped. When every image is skipped there is no score:
 * LPCV_E_GT_MALFORMED.
 */
import { LpcvError } from '../errors/lpcv-error.js';

export interface SegmentationPair {
  /** Predicted class per pixel, integers in [0, numClasses). */
  pred: ArrayLike<number>;
  /** Ground-truth class per pixel, integers in [0, numClasses) or the ignore index. */
  gt: ArrayLike<number>;
}

export interface SegmentationScores {
  /** Mean over scored images of the per-image nanmean over classes of IoU. */
  miou: number;
  /** Mean over scored images of the per-image nanmean over classes of Dice (the LPCVC 2023 accuracy). */
  mdice: number;
  /**
   * Per class, from TP/FP/FN pooled over the whole data set (not a mean of per-image values);
   * null for a class that never occurs in the ground truth nor in the predictions.
   */
  perClass: { classIndex: number; iou: number | null; dice: number | null }[];
  /** Number of pairs given, scored or skipped. */
  images: number;
  /** Pairs left out of the means because they have no scorable pixel (see the NaN policy above). */
  skippedImages: number;
}

/**
 * Accumulates segmentation scores one image at a time, so that a caller that decodes masks asynchronously
 * keeps one pair in memory and nothing on disk. `add` checks and counts a pair; `result` computes the
 * scores. Sizes that differ, or a prediction outside [0, numClasses), are LPCV_E_PRED_MISMATCH; a
 * ground-truth label outside [0, numClasses) that is not the ignore index is LPCV_E_GT_MALFORMED; no pairs
 * at all is LPCV_E_PRED_MISMATCH.
 */
export class SegmentationAccumulator {
  private readonly tp: Float64Array;
  private readonly predCount: Float64Array;
  private readonly gtCount: Float64Array;
  private readonly totalTp: Float64Array;
  private readonly totalPred: Float64Array;
  private readonly totalGt: Float64Array;
  private images = 0;
  private scored = 0;
  private diceSum = 0;
  private iouSum = 0;

  constructor(
    private readonly numClasses: number,
    private readonly opts: { ignoreIndex?: number } = {},
  ) {
    if (!Number.isInteger(numClasses) || numClasses < 1) {
      throw new LpcvError('LPCV_E_FORMULA_INPUT', `numClasses must be an integer >= 1, got ${numClasses}`);
    }
    const ignore = opts.ignoreIndex;
    if (ignore !== undefined && ignore >= 0 && ignore < numClasses) {
      throw new LpcvError('LPCV_E_FORMULA_INPUT', `ignoreIndex ${ignore} is one of the ${numClasses} classes`);
    }
    this.tp = new Float64Array(numClasses);
    this.predCount = new Float64Array(numClasses);
    this.gtCount = new Float64Array(numClasses);
    this.totalTp = new Float64Array(numClasses);
    this.totalPred = new Float64Array(numClasses);
    this.totalGt = new Float64Array(numClasses);
  }

  add({ pred, gt }: SegmentationPair): void {
    const { numClasses, tp, predCount, gtCount } = this;
    const ignore = this.opts.ignoreIndex;
    const index = this.images++;
    if (pred.length !== gt.length) {
      throw new LpcvError('LPCV_E_PRED_MISMATCH', `image ${index}: prediction has ${pred.length} pixels, ground truth ${gt.length}`);
    }
    tp.fill(0);
    predCount.fill(0);
    gtCount.fill(0);
    for (let i = 0; i < pred.length; i++) {
      const p = pred[i];
      if (!Number.isInteger(p) || p < 0 || p >= numClasses) {
        throw new LpcvError('LPCV_E_PRED_MISMATCH', `image ${index}: pixel ${i} is predicted as ${p}, outside [0, ${numClasses})`);
      }
      const g = gt[i];
      if (g === ignore) continue;
      if (!Number.isInteger(g) || g < 0 || g >= numClasses) {
        throw new LpcvError('LPCV_E_GT_MALFORMED', `image ${index}: ground-truth pixel ${i} is ${g}, outside [0, ${numClasses})`);
      }
      predCount[p]++;
      gtCount[g]++;
      if (p === g) tp[p]++;
    }
    // FP_c = predCount_c - TP_c and FN_c = gtCount_c - TP_c, so 2TP + FP + FN = predCount + gtCount.
    let dice = 0;
    let iou = 0;
    let defined = 0;
    for (let c = 0; c < numClasses; c++) {
      const both = predCount[c] + gtCount[c];
      this.totalTp[c] += tp[c];
      this.totalPred[c] += predCount[c];
      this.totalGt[c] += gtCount[c];
      if (both === 0) continue;
      dice += (2 * tp[c]) / both;
      iou += tp[c] / (both - tp[c]);
      defined++;
    }
    if (defined === 0) return;
    this.diceSum += dice / defined;
    this.iouSum += iou / defined;
    this.scored++;
  }

  result(): SegmentationScores {
    const { images, scored, numClasses } = this;
    if (images === 0) throw new LpcvError('LPCV_E_PRED_MISMATCH', 'no images to score');
    if (scored === 0) {
      throw new LpcvError('LPCV_E_GT_MALFORMED', `none of the ${images} ground-truth masks has a pixel that is not ignored`);
    }
    const perClass = Array.from({ length: numClasses }, (_, c) => {
      const both = this.totalPred[c] + this.totalGt[c];
      if (both === 0) return { classIndex: c, iou: null, dice: null };
      return { classIndex: c, iou: this.totalTp[c] / (both - this.totalTp[c]), dice: (2 * this.totalTp[c]) / both };
    });
    return { miou: this.iouSum / scored, mdice: this.diceSum / scored, perClass, images, skippedImages: images - scored };
  }
}

/** Scores an iterable of (prediction, ground truth) label maps; each pair is read once (see SegmentationAccumulator). */
export function segmentationScores(pairs: Iterable<SegmentationPair>, numClasses: number, opts: { ignoreIndex?: number } = {}): SegmentationScores {
  const acc = new SegmentationAccumulator(numClasses, opts);
  for (const pair of pairs) acc.add(pair);
  return acc.result();
}
