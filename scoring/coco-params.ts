/**
 * The fixed parameters of COCO bbox evaluation (pycocotools' Params for iouType 'bbox'), computed the way
 * numpy.linspace computes them so that comparisons at a threshold agree bit for bit
 * (e.g. the 9th IoU threshold is 0.8999999999999999 and the 58th recall threshold 0.5700000000000001).
 */

/** numpy.linspace(start, stop, num) with endpoint: start + i * ((stop - start) / (num - 1)), the last = stop. */
function linspace(start: number, stop: number, num: number): readonly number[] {
  const step = (stop - start) / (num - 1);
  const out = Array.from({ length: num }, (_, i) => i * step + start);
  out[num - 1] = stop;
  return Object.freeze(out);
}

/** IoU thresholds .50:.05:.95 (T = 10). */
export const COCO_IOU_THRESHOLDS = linspace(0.5, 0.95, 10);

/** Recall thresholds 0:.01:1 (R = 101) at which interpolated precision is read. */
export const COCO_RECALL_THRESHOLDS = linspace(0, 1, 101);

/** Detections per image considered, ascending; the last one bounds the matching. */
export const COCO_MAX_DETS: readonly number[] = Object.freeze([1, 10, 100]);

export interface AreaRange {
  readonly label: 'all' | 'small' | 'medium' | 'large';
  /** Inclusive bounds in pixels: an object is outside when area < min or area > max. */
  readonly min: number;
  readonly max: number;
}

export const COCO_AREA_RANGES: readonly AreaRange[] = Object.freeze([
  { label: 'all', min: 0, max: 1e5 ** 2 },
  { label: 'small', min: 0, max: 32 ** 2 },
  { label: 'medium', min: 32 ** 2, max: 96 ** 2 },
  { label: 'large', min: 96 ** 2, max: 1e5 ** 2 },
]);
