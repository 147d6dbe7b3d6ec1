import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rejectionOf } from '../../test/testing/lpcv-errors.js';
import { readLabelMap } from './read-label-map.js';
import { encodePng, tempDir, writeFileIn, writeGrayPng } from './testing/evaluate-files.js';

let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => ({ dir, cleanup } = await tempDir()));
afterAll(() => cleanup());

describe('readLabelMap', () => {
  it('reads an 8-bit grayscale PNG value for value, 0..255', async () => {
    const row = Array.from({ length: 256 }, (_, i) => i);
    const file = join(dir, 'gray.png');
    await writeGrayPng(file, [row, [...row].reverse()]);
    const map = await readLabelMap(file, 'ground truth');
    expect([map.width, map.height]).toEqual([256, 2]);
    expect(map.data).toBeInstanceOf(Uint8Array);
    expect([...map.data.subarray(0, 256)]).toEqual(row);
    expect(map.data[256]).toBe(255);
  });

  it('takes one channel of an RGB PNG whose channels are equal', async () => {
    const file = join(dir, 'rgb.png');
    await sharp(Buffer.from([3, 3, 3, 1, 1, 1, 2, 2, 2, 200, 200, 200]), { raw: { width: 2, height: 2, channels: 3 } })
      .png()
      .toFile(file);
    const map = await readLabelMap(file, 'predictions');
    expect([...map.data]).toEqual([3, 1, 2, 200]);
  });

  it('reads 16-bit grayscale and 16-bit equal-channel RGB as Uint16Array', async () => {
    const gray = await writeFileIn(dir, 'g16.png', encodePng(3, 1, 16, 0, [Buffer.from([0, 0, 0x01, 0x2c, 0xff, 0xff])]));
    const g = await readLabelMap(gray, 'ground truth');
    expect(g.data).toBeInstanceOf(Uint16Array);
    expect([...g.data]).toEqual([0, 300, 65535]);
    const rgb = await writeFileIn(dir, 'rgb16.png', encodePng(2, 1, 16, 2, [Buffer.from([0, 7, 0, 7, 0, 7, 1, 0, 1, 0, 1, 0])]));
    expect([...(await readLabelMap(rgb, 'ground truth')).data]).toEqual([7, 256]);
  });

  it('rejects what would silently change class values: palette, low bit depth, colour', async () => {
    const palette = join(dir, 'palette.png');
    await sharp(Buffer.from([255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 0, 0]), { raw: { width: 2, height: 2, channels: 3 } })
      .png({ palette: true })
      .toFile(palette);
    const e1 = await rejectionOf(readLabelMap(palette, 'predictions'));
    expect(e1.code).toBe('LPCV_E_PRED_MALFORMED');
    expect(e1.message).toContain('palette');

    // 4-bit gray: libvips would scale 0..15 to 0..255.
    const fourBit = await writeFileIn(dir, 'g4.png', encodePng(4, 1, 4, 0, [Buffer.from([0x01, 0x23])]));
    const e2 = await rejectionOf(readLabelMap(fourBit, 'ground truth'));
    expect(e2.code).toBe('LPCV_E_GT_MALFORMED');
    expect(e2.message).toContain('4-bit');

    const colour = join(dir, 'colour.png');
    await sharp(Buffer.from([1, 1, 1, 1, 2, 1]), { raw: { width: 2, height: 1, channels: 3 } })
      .png()
      .toFile(colour);
    const e3 = await rejectionOf(readLabelMap(colour, 'predictions'));
    expect(e3.message).toMatch(/pixel \(1, 0\) is RGB \(1, 2, 1\)/);
  });

  it('rejects alpha channels, JPEG content and files that are not images', async () => {
    const ga = await writeFileIn(dir, 'ga.png', encodePng(1, 1, 8, 4, [Buffer.from([5, 255])]));
    expect((await rejectionOf(readLabelMap(ga, 'predictions'))).message).toContain('2 channels (with alpha)');
    const jpeg = join(dir, 'really-a-jpeg.png');
    await sharp(Buffer.from([0, 1, 2, 3]), { raw: { width: 2, height: 2, channels: 1 } })
      .jpeg()
      .toFile(jpeg);
    expect((await rejectionOf(readLabelMap(jpeg, 'predictions'))).message).toContain('not a PNG');
    const text = await writeFileIn(dir, 'text.png', 'hello');
    const e = await rejectionOf(readLabelMap(text, 'predictions'));
    expect(e.code).toBe('LPCV_E_PRED_MALFORMED');
    expect(e.message).toContain('cannot decode');
  });
});
