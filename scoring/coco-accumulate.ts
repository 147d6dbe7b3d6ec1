/**
 * Precision/recall accumulation for one category and one area range over all images: pycocotools'
 * COCOeval.accumulate.
 */
import { DT_FP, DT_TP, type ImageMatch } from './coco-match.js';

/** One image's matching plus the scores of its detections (descending, at most the largest maxDet). */
export interface ScoredImageMatch extends ImageMatch {
  readonly scores: readonly number[];
}

export interface AccumulatedCurve {
  /** Interpolated precision at each recall threshold: precision[t * R + r]. */
  readonly precision: Float64Array;
  /** Recall reached with all (at most maxDet per image) detections, per IoU threshold. */
  readonly recall: Float64Array;
}

/**
 * For each maxDet: the precision curve at each IoU threshold and recall threshold, and the final recall;
 * null (pycocotools' -1) when no ground truth of this category counts in this area range.
 *
 * `images` must be in ascending image id order: detections of equal score are ranked in that order (numpy's
 * stable sort over pycocotools' concatenation), then by their rank within their image.
 *
 * As pycocotools: precision = TP / (TP + FP + eps) with eps = 2^-52 (so a perfect detector scores
 * 1 - 2^-52, not exactly 1); the curve is made non-increasing from the right (the envelope); precision at
 * recall threshold r is read at the first detection whose recall >= r (searchsorted 'left'), and is 0 for
 * thresholds beyond the highest recall reached. Ignored detections stay in the ranking but count as neither
 * TP nor FP.
 */
export function accumulateCurves(
  images: readonly ScoredImageMatch[],
  numThresholds: number,
  recallThresholds: readonly number[],
  maxDets: readonly number[],
): (AccumulatedCurve | null)[] {
  let numGt = 0;
  for (const im of images) numGt += im.numGt;
  if (numGt === 0) return maxDets.map(() => null);

  // Every detection, sorted by score descending, ties by concatenation order (image order, then rank).
  let n = 0;
  for (const im of images) n += im.scores.length;
  const score = new Float64Array(n);
  const imageOf = new Uint32Array(n);
  const rankOf = new Uint32Array(n);
  let e = 0;
  images.forEach((im, i) => {
    for (let d = 0; d < im.scores.length; d++, e++) {
      score[e] = im.scores[d];
      imageOf[e] = i;
      rankOf[e] = d;
    }
  });
  const ranked = new Uint32Array(n).map((_, i) => i).sort((a, b) => score[b] - score[a] || a - b);
  // states[t * n + p]: the state of the p-th ranked detection at threshold t, laid out for a linear walk.
  const states = new Uint8Array(numThresholds * n);
  const rank = new Uint32Array(n);
  for (let p = 0; p < n; p++) {
    const im = images[imageOf[ranked[p]]];
    const d = rankOf[ranked[p]];
    const D = im.scores.length;
    rank[p] = d;
    for (let t = 0; t < numThresholds; t++) states[t * n + p] = im.states[t * D + d];
  }

  const R = recallThresholds.length;
  const rc = new Float64Array(n);
  const pr = new Float64Array(n);
  return maxDets.map((maxDet) => {
    const precision = new Float64Array(numThresholds * R);
    const recall = new Float64Array(numThresholds);
    for (let t = 0; t < numThresholds; t++) {
      // Keeping the top maxDet of each image preserves the relative order of what is kept.
      let tp = 0;
      let fp = 0;
      let nd = 0;
      for (let p = 0; p < n; p++) {
        if (rank[p] >= maxDet) continue;
        const state = states[t * n + p];
        if (state === DT_TP) tp++;
        else if (state === DT_FP) fp++;
        rc[nd] = tp / numGt;
        pr[nd] = tp / (fp + tp + Number.EPSILON);
        nd++;
      }
      recall[t] = nd > 0 ? rc[nd - 1] : 0;
      for (let i = nd - 1; i > 0; i--) if (pr[i] > pr[i - 1]) pr[i - 1] = pr[i];
      let i = 0;
      for (let r = 0; r < R; r++) {
        while (i < nd && rc[i] < recallThresholds[r]) i++;
        if (i === nd) break; // beyond the highest recall: precision stays 0
        precision[t * R + r] = pr[i];
      }
    }
    return { precision, recall };
  });
}
