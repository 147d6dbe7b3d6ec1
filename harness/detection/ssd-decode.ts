/**
 * Raw SSD heads to detections (docs/protocol.md, "Detection outputs", b): each prior's offsets decoded into a
 * box (SSD's encoding with the spec's variances), its class scores (softmax of the logits, or the
 * probabilities as given) without the background class 0, boxes under the score threshold dropped, class-wise
 * non-maximum suppression, the best maxDetections kept. Class c + 1 of the model is the track's class c. Pure.
 */
import type { DetectionPrediction } from '../measurement.js';
import type { SsdSpec } from './ssd-spec.js';

type Box = [number, number, number, number];

function iou(a: Box, b: Box): number {
  const w = Math.min(a[2], b[2]) - Math.max(a[0], b[0]);
  const h = Math.min(a[3], b[3]) - Math.max(a[1], b[1]);
  if (w <= 0 || h <= 0) return 0;
  const inter = w * h;
  return inter / ((a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter);
}

/**
 * Greedy non-maximum suppression of one class's candidates: best score first (ties by lower index), each kept
 * unless it overlaps a kept box by more than iouThreshold. Answers the kept indices in that order.
 */
export function nonMaximumSuppression(boxes: readonly Box[], scores: readonly number[], iouThreshold: number): number[] {
  const order = scores.map((_, i) => i).sort((x, y) => scores[y]! - scores[x]! || x - y);
  const kept: number[] = [];
  for (const i of order) if (kept.every((k) => iou(boxes[k]!, boxes[i]!) <= iouThreshold)) kept.push(i);
  return kept;
}

export interface SsdHeads {
  /** [P x 4] offsets, prior after prior. */
  readonly locations: ArrayLike<number>;
  /** [P x (classes + 1)] logits or probabilities, class 0 the background. */
  readonly confidences: ArrayLike<number>;
}

export function decodeSsd(heads: SsdHeads, priors: Float64Array, spec: SsdSpec, classes: number, width: number, height: number): DetectionPrediction[] {
  const P = priors.length / 4;
  const C = classes + 1;
  const [v0, v1] = spec.variances;
  const perClass: { boxes: Box[]; scores: number[] }[] = Array.from({ length: classes }, () => ({ boxes: [], scores: [] }));
  const probs = new Float64Array(C);
  for (let p = 0; p < P; p++) {
    // Class scores of this prior.
    if (spec.confidences === 'logits') {
      let max = -Infinity;
      for (let c = 0; c < C; c++) max = Math.max(max, heads.confidences[p * C + c]!);
      let sum = 0;
      for (let c = 0; c < C; c++) sum += probs[c] = Math.exp(heads.confidences[p * C + c]! - max);
      for (let c = 0; c < C; c++) probs[c]! /= sum;
    } else for (let c = 0; c < C; c++) probs[c] = heads.confidences[p * C + c]!;
    let box: Box | undefined;
    for (let c = 1; c < C; c++) {
      const score = probs[c]!;
      if (!(score >= spec.scoreThreshold) || score === 0) continue;
      box ??= decodeBox(heads.locations, priors, p, v0, v1, spec.clip, width, height);
      if (box[2] <= box[0] || box[3] <= box[1]) break;
      perClass[c - 1]!.boxes.push(box);
      perClass[c - 1]!.scores.push(score);
    }
  }
  const out: DetectionPrediction[] = [];
  perClass.forEach(({ boxes, scores }, classIndex) => {
    for (const k of nonMaximumSuppression(boxes, scores, spec.iouThreshold)) out.push({ box: boxes[k]!, score: scores[k]!, classIndex });
  });
  // Best first across classes; equal scores keep class order (a stable sort).
  out.sort((a, b) => b.score - a.score);
  return out.slice(0, spec.maxDetections);
}

function decodeBox(loc: ArrayLike<number>, priors: Float64Array, p: number, v0: number, v1: number, clip: boolean, width: number, height: number): Box {
  const [pcx, pcy, pw, ph] = [priors[4 * p]!, priors[4 * p + 1]!, priors[4 * p + 2]!, priors[4 * p + 3]!];
  const cx = pcx + loc[4 * p]! * v0 * pw;
  const cy = pcy + loc[4 * p + 1]! * v0 * ph;
  const w = pw * Math.exp(loc[4 * p + 2]! * v1);
  const h = ph * Math.exp(loc[4 * p + 3]! * v1);
  let box: Box = [cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2];
  if (clip) box = [Math.max(0, box[0]), Math.max(0, box[1]), Math.min(width, box[2]), Math.min(height, box[3])];
  return box;
}
