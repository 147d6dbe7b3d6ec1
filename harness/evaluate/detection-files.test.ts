import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { errorOf } from '../../test/testing/lpcv-errors.js';
import { parseCocoDetections, parseCocoGroundTruth, readDetectionFiles } from './detection-files.js';
import { FIXTURES } from './testing/evaluate-files.js';

const GT = {
  images: [{ id: 1 }, { id: 2 }],
  annotations: [{ id: 7, image_id: 1, category_id: 3, bbox: [0, 0, 4, 5] }],
  categories: [{ id: 3, name: 'cat' }],
};
const gtText = (patch: object): string => JSON.stringify({ ...GT, ...patch });

describe('parseCocoGroundTruth', () => {
  it('keeps what the metric needs, with area = w*h and iscrowd = 0 when absent', async () => {
    const { gt } = await readDetectionFiles(join(FIXTURES, 'detection-gt.json'), join(FIXTURES, 'detection-pred.json'));
    expect(gt.images.map((im) => im.id)).toEqual([1, 2]);
    expect(gt.annotations.map((a) => [a.area, a.iscrowd])).toEqual([
      [1600, 0],
      [1600, 0],
    ]);
    expect(gt.categories).toEqual([
      { id: 1, name: 'cat' },
      { id: 2, name: 'dog' },
    ]);
    const withArea = parseCocoGroundTruth(gtText({ annotations: [{ image_id: 1, category_id: 3, bbox: [0, 0, 4, 5], area: 12, iscrowd: 1 }] }), 'gt.json');
    expect(withArea.annotations[0]).toEqual({ id: 1, image_id: 1, category_id: 3, bbox: [0, 0, 4, 5], area: 12, iscrowd: 1 });
  });

  it.each([
    [{ categories: undefined }, 'gt.json: categories: '],
    [{ images: [{ id: '1' }] }, 'gt.json: images[0].id: '],
    [{ annotations: [{ image_id: 1, category_id: 3, bbox: [0, 0, 4] }] }, 'gt.json: annotations[0].bbox: '],
    [{ annotations: [{ image_id: 1, category_id: 3, bbox: [0, 0, -4, 5] }] }, 'gt.json: annotations[0].bbox[2]: '],
    [{ annotations: [{ image_id: 9, category_id: 3, bbox: [0, 0, 4, 5] }] }, 'gt.json: annotations[0].image_id: no image with id 9'],
    [{ annotations: [{ image_id: 1, category_id: 4, bbox: [0, 0, 4, 5] }] }, 'gt.json: annotations[0].category_id: no category with id 4'],
    [{ images: [{ id: 1 }, { id: 1 }] }, 'gt.json: images[1].id: duplicate id 1'],
  ])('%j is LPCV_E_GT_MALFORMED naming the key', (patch, message) => {
    const e = errorOf(() => parseCocoGroundTruth(gtText(patch), 'gt.json'));
    expect(e.code).toBe('LPCV_E_GT_MALFORMED');
    expect(e.message.startsWith(message)).toBe(true);
  });

  it('reports a file that is not JSON', () => {
    expect(errorOf(() => parseCocoGroundTruth('{"images": [', 'gt.json')).message).toMatch(/^gt\.json: not valid JSON/);
  });
});

describe('parseCocoDetections', () => {
  const gt = parseCocoGroundTruth(JSON.stringify(GT), 'gt.json');
  const det = { image_id: 1, category_id: 3, bbox: [1, 1, 2, 2], score: 0.5 };

  it('accepts extra keys and an empty list', () => {
    expect(parseCocoDetections(JSON.stringify([{ ...det, segmentation: [] }]), 'p.json', gt)).toEqual([{ ...det, segmentation: [] }]);
    expect(parseCocoDetections('[]', 'p.json', gt)).toEqual([]);
  });

  it.each([
    [[det, { ...det, score: 'high' }], '[1].score', 1],
    [[{ ...det, bbox: [1, 1, 2] }], '[0].bbox', 0],
    [[det, det, { ...det, image_id: undefined }], '[2].image_id', 2],
    [[{ ...det, category_id: 1.5 }], '[0].category_id', 0],
  ])('%j is LPCV_E_PRED_MALFORMED with index and key', (dets, key, index) => {
    const e = errorOf(() => parseCocoDetections(JSON.stringify(dets), 'p.json', gt));
    expect(e.code).toBe('LPCV_E_PRED_MALFORMED');
    expect(e.message.startsWith(`p.json: ${key}: `)).toBe(true);
    expect(e.detail).toMatchObject({ index, key });
  });

  it('wants an array', () => {
    expect(errorOf(() => parseCocoDetections('{"annotations": []}', 'p.json', gt)).message).toContain('expected a JSON array');
  });

  it('reports unknown image and category ids as LPCV_E_PRED_MISMATCH with counts', () => {
    const dets = [det, { ...det, image_id: 5 }, { ...det, image_id: 6 }, { ...det, image_id: 5, category_id: 9 }];
    const e = errorOf(() => parseCocoDetections(JSON.stringify(dets), 'p.json', gt));
    expect(e.code).toBe('LPCV_E_PRED_MISMATCH');
    expect(e.message).toBe('p.json: 2 image_id values are not in the ground truth (5, 6); 1 category_id values are not in the ground truth (9)');
  });
});
