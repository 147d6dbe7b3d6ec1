import { describe, expect, it } from 'vitest';
import { COCO_AREA_RANGES, COCO_IOU_THRESHOLDS, COCO_MAX_DETS, COCO_RECALL_THRESHOLDS } from './coco-params.js';

describe('COCO thresholds', () => {
  it('are the doubles numpy.linspace gives pycocotools', () => {
    // np.linspace(.5, .95, 10) printed by numpy 2.4 with repr()
    expect(COCO_IOU_THRESHOLDS).toEqual([0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.8999999999999999, 0.95]);
    expect(COCO_RECALL_THRESHOLDS).toHaveLength(101);
    expect(COCO_RECALL_THRESHOLDS[0]).toBe(0);
    expect(COCO_RECALL_THRESHOLDS[57]).toBe(0.5700000000000001); // np.linspace(0, 1, 101)[57]
    expect(COCO_RECALL_THRESHOLDS[100]).toBe(1);
  });

  it('use pycocotools area ranges (1e5 ** 2 = 1e10) and max detections', () => {
    expect(COCO_AREA_RANGES.map((r) => [r.label, r.min, r.max])).toEqual([
      ['all', 0, 1e10],
      ['small', 0, 1024],
      ['medium', 1024, 9216],
      ['large', 9216, 1e10],
    ]);
    expect(COCO_MAX_DETS).toEqual([1, 10, 100]);
  });
});
