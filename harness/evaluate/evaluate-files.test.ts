import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rejectionOf } from '../../test/testing/lpcv-errors.js';
import { evaluateFiles } from './evaluate-files.js';
import { FIXTURES, tempDir, writeGrayPng, writeSegmentationCase } from './testing/evaluate-files.js';

let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => ({ dir, cleanup } = await tempDir()));
afterAll(() => cleanup());

const fixture = (name: string): string => join(FIXTURES, name);

describe('evaluateFiles', () => {
  it('classification, 2020 FPGA format: hand-computed top-1 and top-5', async () => {
    // labels a3 b1 c7 d0 e9; top-1 right for a (3) and e (9); top-5 also finds b's 1 (2nd) and d's 0 (5th);
    // c's 7 is nowhere. top-1 = 2/5, top-5 = 4/5.
    const r = await evaluateFiles({ task: 'classification', gt: fixture('classification-gt.csv'), pred: fixture('image.list.result') });
    expect(r).toMatchObject({ task: 'classification', count: 5, numClasses: 10, predictionFormat: 'fpga-2020', details: {} });
    expect(r.accuracy).toEqual({ top1: 0.4, top5: 0.8 });
    expect(r.gt).toBe(resolve(fixture('classification-gt.csv')));
    expect(r.perClass).toHaveLength(10);
    expect(r.perClass[3]).toEqual({ classIndex: 3, count: 1, top1: 1 });
    expect(r.perClass[1]).toEqual({ classIndex: 1, count: 1, top1: 0 });
    expect(r.perClass[2]).toEqual({ classIndex: 2, count: 0, top1: null });
  });

  it('classification, JSON map: lists cut to 5, class names on the per-class rows', async () => {
    // a [3] hit; b [4,1] top-5 hit; c [0..4,7] cut to 5, so its 7 is lost; d [0] hit; e [2,9] top-5 hit.
    const classNames = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'];
    const r = await evaluateFiles({ task: 'classification', gt: fixture('classification-gt.csv'), pred: fixture('classification-pred.json'), classNames });
    expect(r.accuracy).toEqual({ top1: 0.4, top5: 0.8 });
    expect(r).toMatchObject({ predictionFormat: 'json', numClasses: 10 });
    expect(r.perClass[9]).toEqual({ classIndex: 9, name: 'nine', count: 1, top1: 0 });
  });

  it('detection: two images with a known mAP', async () => {
    // Category cat: image 1 found exactly (score .9), image 2 found with IoU 0.72 (score .8).
    // IoU thresholds .50-.70 (5 of 10): both true positives, AP 1. Thresholds .75-.95: recall stops at 1/2 with
    // precision 1, so AP = 51/101 (recall points 0, .01, ..., .50). mAP = (5 + 5 * 51/101) / 10 = 76/101.
    // Category dog has no ground truth: its detection is not scored and dog is left out of the mean.
    const r = await evaluateFiles({ task: 'detection', gt: fixture('detection-gt.json'), pred: fixture('detection-pred.json') });
    expect(r).toMatchObject({ task: 'detection', count: 2, numClasses: 2, detections: 3 });
    expect(r.accuracy.map).toBeCloseTo(76 / 101, 12);
    expect(r.accuracy.map50).toBe(1);
    expect(r.details.map75).toBeCloseTo(51 / 101, 12);
    // Both boxes are 40x40 without an `area` key: area 1600 is medium.
    expect(r.details.mapMedium).toBeCloseTo(76 / 101, 12);
    expect(r.details.mapSmall).toBe(-1);
    expect(r.details.mapLarge).toBe(-1);
    expect(r.details.ar100).toBeCloseTo(0.75, 12);
    expect(Object.keys(r.details)).toEqual(['map75', 'mapSmall', 'mapMedium', 'mapLarge', 'ar1', 'ar10', 'ar100', 'arSmall', 'arMedium', 'arLarge']);
    expect(r.perClass).toEqual([
      { categoryId: 1, name: 'cat', ap: r.accuracy.map, ap50: 1 },
      { categoryId: 2, name: 'dog', ap: null, ap50: null },
    ]);
  });

  it('segmentation: hand-computed mDice over two images', async () => {
    // a: dice per class 1/2, 4/5, 2/3 -> 59/90; b (one pixel ignored): 0, 0, 1 -> 1/3. mDice = 89/180.
    const { gt, pred } = await writeSegmentationCase(join(dir, 'seg'));
    await writeGrayPng(join(pred, 'b.png'), [
      [2, 2, 2],
      [2, 1, 1],
    ]);
    const r = await evaluateFiles({ task: 'segmentation', gt, pred, ignoreIndex: 255, classNames: ['sky', 'road', 'water'] });
    expect(r).toMatchObject({ task: 'segmentation', count: 2, numClasses: 3, skippedImages: 0, details: {} });
    expect(r.accuracy.mdice).toBeCloseTo(89 / 180, 12);
    expect(r.accuracy.miou).toBeCloseTo(5 / 12, 12);
    expect(r.perClass[2]).toEqual({ classIndex: 2, name: 'water', iou: 5 / 6, dice: 10 / 11 });
  });

  it('names a missing ground truth or predictions path', async () => {
    const missing = join(dir, 'nope.csv');
    const e1 = await rejectionOf(evaluateFiles({ task: 'classification', gt: missing, pred: fixture('image.list.result') }));
    expect(e1.code).toBe('LPCV_E_FILE_NOT_FOUND');
    expect(e1.message).toBe(`ground truth not found: ${missing}`);
    const e2 = await rejectionOf(evaluateFiles({ task: 'detection', gt: fixture('detection-gt.json'), pred: missing }));
    expect(e2.message).toBe(`predictions not found: ${missing}`);
    expect(e2.detail).toEqual({ path: missing, role: 'predictions' });
  });

  it('wants folders for segmentation and files for the other tasks', async () => {
    const e1 = await rejectionOf(evaluateFiles({ task: 'segmentation', gt: fixture('detection-gt.json'), pred: dir }));
    expect(e1.code).toBe('LPCV_E_USAGE');
    const e2 = await rejectionOf(evaluateFiles({ task: 'detection', gt: fixture('detection-gt.json'), pred: dir }));
    expect(e2.code).toBe('LPCV_E_USAGE');
    expect(e2.message).toContain('must be a file');
  });
});
