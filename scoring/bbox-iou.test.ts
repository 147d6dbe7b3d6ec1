import { describe, expect, it } from 'vitest';
import { bboxIou } from './bbox-iou.js';

describe('bboxIou', () => {
  it('is intersection over union of [x, y, w, h] boxes', () => {
    // overlap 5 x 10 = 50, union 100 + 100 - 50 = 150
    expect(bboxIou([5, 0, 10, 10], [0, 0, 10, 10], false)).toBe(50 / 150);
    // detection inside ground truth: 60 / (60 + 100 - 60)
    expect(bboxIou([0, 0, 10, 6], [0, 0, 10, 10], false)).toBe(0.6);
    expect(bboxIou([1, 2, 3, 4], [1, 2, 3, 4], false)).toBe(1);
  });

  it('divides by the detection area for a crowd region', () => {
    // overlap 50, detection area 100 -> 0.5 (the plain IoU would be 1/3)
    expect(bboxIou([5, 0, 10, 10], [0, 0, 10, 10], true)).toBe(0.5);
    // detection entirely inside a large crowd region: 100 / 100
    expect(bboxIou([55, 5, 10, 10], [50, 0, 40, 40], true)).toBe(1);
  });

  it('is 0 for boxes that only touch or do not meet', () => {
    expect(bboxIou([10, 0, 5, 5], [0, 0, 10, 10], false)).toBe(0);
    expect(bboxIou([0, 10, 5, 5], [0, 0, 10, 10], false)).toBe(0);
    expect(bboxIou([50, 50, 5, 5], [0, 0, 10, 10], true)).toBe(0);
  });
});
