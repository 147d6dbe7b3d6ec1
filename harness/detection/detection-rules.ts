/**
 * What every detection the harness takes must respect, whoever made it (a model's own outputs, SSD heads it
 * decodes, a solution package's detections.json): at most MAX_DETECTIONS boxes an image, and boxes inside the
 * image but for EDGE_SLACK_PX. Each reader says in its own terms (and with its own code) which rule broke.
 */

/** Boxes one image may have (COCO's evaluation reads the best 100). */
export const MAX_DETECTIONS = 100;

/** Boxes may reach this far past the image's edge (rounding of a model's own clipping). */
export const EDGE_SLACK_PX = 0.5;

/** Whether a box [x1, y1, x2, y2] reaches outside a width x height image by more than the slack. */
export function reachesOutside(box: readonly [number, number, number, number], width: number, height: number): boolean {
  const [x1, y1, x2, y2] = box;
  return x1 < -EDGE_SLACK_PX || y1 < -EDGE_SLACK_PX || x2 > width + EDGE_SLACK_PX || y2 > height + EDGE_SLACK_PX;
}
