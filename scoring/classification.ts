/**
 * Classification accuracy: top-k accuracy from ranked class lists, top-k selection from raw scores, and a
 * per-class report. Pure functions: numbers in, numbers out.
 */
import { LpcvError } from '../errors/lpcv-error.js';

export interface ClassificationReport {
  top1: number;
  top5: number;
  /** One row per class 0..numClasses-1; `top1` is null for a class that never occurs in the labels. */
  perClass: { classIndex: number; count: number; top1: number | null }[];
}

function checkK(k: number): void {
  if (!Number.isInteger(k) || k < 1) {
    throw new LpcvError('LPCV_E_FORMULA_INPUT', `top-k needs an integer k >= 1, got ${k}`);
  }
}

function checkSameLength(topk: readonly (readonly number[])[], labels: readonly number[]): void {
  if (topk.length !== labels.length) {
    throw new LpcvError('LPCV_E_PRED_MISMATCH', `${topk.length} predictions for ${labels.length} labels`);
  }
  if (labels.length === 0) {
    throw new LpcvError('LPCV_E_PRED_MISMATCH', 'no predictions and no labels to score');
  }
}

/**
 * Fraction of samples whose label is among the first k entries of `topk[i]` (class indices, best first).
 * A prediction listing fewer than k classes is judged on the classes it lists; an empty one is wrong.
 */
export function topKAccuracy(topk: readonly (readonly number[])[], labels: readonly number[], k: number): number {
  checkK(k);
  checkSameLength(topk, labels);
  let hits = 0;
  for (let i = 0; i < labels.length; i++) {
    const ranked = topk[i];
    const n = Math.min(k, ranked.length);
    for (let r = 0; r < n; r++) {
      if (ranked[r] === labels[i]) {
        hits++;
        break;
      }
    }
  }
  return hits / labels.length;
}

/** True when (score a, index ia) ranks before (score b, index ib): higher score first, then lower index. */
function ranksBefore(a: number, ia: number, b: number, ib: number): boolean {
  return a > b || (a === b && ia < ib);
}

/**
 * Indices of the k largest scores, best first (all indices when k exceeds the number of scores).
 * Ties are broken by the lower index first, as a stable descending sort would (and as `torch.topk` on CPU
 * and `np.argsort(-s, kind='stable')` do). -0 and +0 are equal; +-Infinity order normally.
 * A NaN score cannot be ranked: LPCV_E_MODEL_OUTPUT_NAN.
 */
export function topKFromScores(scores: ArrayLike<number>, k: number): number[] {
  checkK(k);
  const n = scores.length;
  for (let i = 0; i < n; i++) {
    if (Number.isNaN(scores[i])) {
      throw new LpcvError('LPCV_E_MODEL_OUTPUT_NAN', `score ${i} of ${n} is NaN`);
    }
  }
  const want = Math.min(k, n);
  if (want > 32) {
    // Large k: a full stable sort is simpler and O(n log n).
    const order = Array.from({ length: n }, (_, i) => i);
    order.sort((ia, ib) => (ranksBefore(scores[ia], ia, scores[ib], ib) ? -1 : 1));
    return order.slice(0, want);
  }
  // Small k (the usual 1 or 5): keep a sorted buffer of the best `want` seen so far, O(n * k).
  const best: number[] = [];
  for (let i = 0; i < n; i++) {
    const s = scores[i];
    if (best.length === want && !ranksBefore(s, i, scores[best[want - 1]], best[want - 1])) continue;
    let pos = best.length === want ? want - 1 : best.length;
    while (pos > 0 && ranksBefore(s, i, scores[best[pos - 1]], best[pos - 1])) {
      best[pos] = best[pos - 1];
      pos--;
    }
    best[pos] = i;
  }
  return best;
}

/**
 * Top-1 and top-5 accuracy plus per-class top-1 (the recall of each class). Labels must be integers in
 * [0, numClasses): anything else is a ground-truth fault (LPCV_E_GT_MALFORMED).
 */
export function classificationReport(topk: readonly (readonly number[])[], labels: readonly number[], numClasses: number): ClassificationReport {
  if (!Number.isInteger(numClasses) || numClasses < 1) {
    throw new LpcvError('LPCV_E_FORMULA_INPUT', `numClasses must be an integer >= 1, got ${numClasses}`);
  }
  checkSameLength(topk, labels);
  const count = new Array<number>(numClasses).fill(0);
  const correct = new Array<number>(numClasses).fill(0);
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i];
    if (!Number.isInteger(label) || label < 0 || label >= numClasses) {
      throw new LpcvError('LPCV_E_GT_MALFORMED', `label ${i} is ${label}, outside [0, ${numClasses})`);
    }
    count[label]++;
    if (topk[i].length > 0 && topk[i][0] === label) correct[label]++;
  }
  return {
    top1: topKAccuracy(topk, labels, 1),
    top5: topKAccuracy(topk, labels, 5),
    perClass: count.map((c, classIndex) => ({ classIndex, count: c, top1: c === 0 ? null : correct[classIndex] / c })),
  };
}
