/**
 * Intersection over union of two [x, y, w, h] boxes, computed as pycocotools' bbIou (maskApi.c) does, with
 * the same operations in the same order so that results at a threshold agree exactly.
 * For a crowd ground-truth region the denominator is the detection's own area (the share of the detection
 * that lies inside the crowd), not the union. Boxes that do not overlap with positive width and height: 0.
 */
export function bboxIou(dt: readonly number[], gt: readonly number[], gtIsCrowd: boolean): number {
  const w = Math.min(dt[2] + dt[0], gt[2] + gt[0]) - Math.max(dt[0], gt[0]);
  if (w <= 0) return 0;
  const h = Math.min(dt[3] + dt[1], gt[3] + gt[1]) - Math.max(dt[1], gt[1]);
  if (h <= 0) return 0;
  const inter = w * h;
  const dtArea = dt[2] * dt[3];
  const union = gtIsCrowd ? dtArea : dtArea + gt[2] * gt[3] - inter;
  return inter / union;
}
