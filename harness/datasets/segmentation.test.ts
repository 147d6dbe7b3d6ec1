import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { rejectionOf } from '../../test/testing/lpcv-errors.js';
import { makeTempDir, pattern, writeJpeg, writePng } from '../../test/testing/write-images.js';
import { segmentationInputs, segmentationMasks } from './segmentation.js';

const tmp = makeTempDir('lpcv-seg-');
const images = join(tmp.dir, 'images');
const masks = join(tmp.dir, 'masks');
const maskA = Uint8Array.from({ length: 16 }, (_, i) => i % 3);
const maskB = Uint8Array.from({ length: 16 }, (_, i) => (i < 8 ? 255 : 1));

beforeEach(async () => {
  rmSync(images, { recursive: true, force: true });
  rmSync(masks, { recursive: true, force: true });
  await writeJpeg(join(images, 'b.jpg'), 4, 4, pattern(4, 4, 3, 1));
  await writePng(join(images, 'a.png'), 4, 4, 3, pattern(4, 4, 3, 2));
  await writePng(join(masks, 'a.png'), 4, 4, 1, maskA);
  await writePng(join(masks, 'b.png'), 4, 4, 1, maskB);
});
afterAll(() => tmp.remove());

describe('segmentation data', () => {
  it('pairs images with same-named PNG masks, in image order', async () => {
    const inputs = await segmentationInputs(images);
    expect(inputs.ids).toEqual(['a.png', 'b.jpg']);
    const m = await segmentationMasks(images, masks);
    expect(m.ids).toEqual(['a.png', 'b.jpg']);
    expect(await m.readMask(0)).toEqual({ width: 4, height: 4, data: maskA });
    expect(await m.readMask(1)).toEqual({ width: 4, height: 4, data: maskB });
  });

  it('inputs never look at the masks folder', async () => {
    rmSync(masks, { recursive: true });
    expect((await segmentationInputs(images)).ids).toHaveLength(2);
  });

  it('reports an image without a mask, a mask without an image, and a name clash', async () => {
    rmSync(join(masks, 'b.png'));
    expect(await rejectionOf(segmentationMasks(images, masks))).toMatchObject({
      code: 'LPCV_E_DATASET_MISSING',
      message: `mask file of image b.jpg not found: ${join(masks, 'b.png')}`,
    });
    await writePng(join(masks, 'b.png'), 4, 4, 1, maskB);
    await writePng(join(masks, 'z.png'), 4, 4, 1, maskB);
    expect(await rejectionOf(segmentationMasks(images, masks))).toMatchObject({
      code: 'LPCV_E_DATASET_CORRUPT',
      message: `${join(masks, 'z.png')}: is a mask without an image`,
    });
    rmSync(join(masks, 'z.png'));
    await writePng(join(images, 'b.png'), 4, 4, 3, pattern(4, 4, 3));
    expect((await rejectionOf(segmentationMasks(images, masks))).message).toBe(`${join(images, 'b.png')}: shares its mask name b.png with b.jpg`);
  });

  it('refuses a mask whose size differs from its image', async () => {
    await writePng(join(masks, 'a.png'), 4, 3, 1, maskA.subarray(0, 12));
    const m = await segmentationMasks(images, masks);
    expect(await rejectionOf(m.readMask(0))).toMatchObject({
      code: 'LPCV_E_DATASET_CORRUPT',
      message: `${join(masks, 'a.png')}: is 4x3, its image a.png is 4x4`,
    });
  });
});
