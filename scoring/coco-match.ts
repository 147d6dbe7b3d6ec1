/**
 * Greedy matching of one image's detections to its ground truth for one category and one area range, at
 * every IoU threshold: pycocotools' COCOeval.evaluateImg for bbox.
 */
import type { AreaRange } from './coco-params.js';

/** What a detection counts as at one IoU threshold. */
export const DT_FP = 0;
export const DT_TP = 1;
/** Matched to an ignored ground truth (crowd, or outside the area range), or unmatched and itself outside it. */
export const DT_IGNORED = 2;

export interface ImageMatch {
  /** state[t * numDets + d] for threshold t and detection d (d in descending score order). */
  readonly states: Uint8Array;
  /** Ground truths of this image and category that count (neither crowd nor outside the area range). */
  readonly numGt: number;
}

export interface MatchInput {
  /** ious[d * numGt + g]: detection d (descending score) against ground truth g (input order). */
  readonly ious: Float64Array;
  readonly numDets: number;
  readonly gtArea: readonly number[];
  readonly gtCrowd: readonly boolean[];
  /** w * h of each detection's box, in the same order as the ious rows. */
  readonly dtArea: readonly number[];
}

/**
 * Matches detections (highest score first) to ground truths at each threshold t:
 * - a detection takes the ground truth with the highest IoU >= t among those still free (a crowd region is
 *   never used up); on equal IoU the later candidate in the order below wins, as in pycocotools;
 * - ground truths that count are tried before ignored ones, and once a detection holds one that counts it
 *   does not move to an ignored one;
 * - a detection matched to an ignored ground truth is ignored, as is an unmatched detection whose own area
 *   (w * h) is outside the range. Every other unmatched detection is a false positive.
 */
export function matchImage(input: MatchInput, range: AreaRange, thresholds: readonly number[]): ImageMatch {
  const { ious, numDets: D, gtArea, gtCrowd, dtArea } = input;
  const G = gtArea.length;
  const T = thresholds.length;
  const states = new Uint8Array(T * D);
  const unmatched = (d: number) => (dtArea[d] < range.min || dtArea[d] > range.max ? DT_IGNORED : DT_FP);
  if (G === 0) {
    // Nothing to match (the common case: a category the image does not contain).
    for (let d = 0; d < D; d++) {
      const state = unmatched(d);
      for (let t = 0; t < T; t++) states[t * D + d] = state;
    }
    return { states, numGt: 0 };
  }
  const ignored = gtArea.map((a, g) => gtCrowd[g] || a < range.min || a > range.max);
  // Ground truths that count first, each group in input order (numpy's stable mergesort on the ignore flag).
  const order = [...Array(G).keys()].sort((a, b) => Number(ignored[a]) - Number(ignored[b]) || a - b);
  const numGt = ignored.reduce((n, ig) => (ig ? n : n + 1), 0);

  const taken = new Uint8Array(G);
  for (let t = 0; t < T; t++) {
    taken.fill(0);
    for (let d = 0; d < D; d++) {
      let best = Math.min(thresholds[t], 1 - 1e-10);
      let m = -1; // position in `order` of the best match so far
      for (let k = 0; k < G; k++) {
        const g = order[k];
        if (taken[k] && !gtCrowd[g]) continue;
        if (m > -1 && !ignored[order[m]] && ignored[g]) break;
        const iou = ious[d * G + g];
        if (iou < best) continue;
        best = iou;
        m = k;
      }
      let state: number;
      if (m === -1) {
        state = unmatched(d);
      } else {
        taken[m] = 1;
        state = ignored[order[m]] ? DT_IGNORED : DT_TP;
      }
      states[t * D + d] = state;
    }
  }
  return { states, numGt };
}
