import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { rejectionOf } from '../../test/testing/lpcv-errors.js';
import { makeTempDir, pattern, writeJpeg, writePng } from '../../test/testing/write-images.js';
import { encodePng, writeFileIn } from '../evaluate/testing/evaluate-files.js';
import { decodeImageFile, decodeMaskFile, readImageSize } from './decode-image.js';

const tmp = makeTempDir('lpcv-decode-');
afterAll(() => tmp.remove());

/** Every other channel-th byte starting at `from`. */
function channel(data: Uint8Array, channels: number, from: number): number[] {
  return Array.from(data).filter((_, i) => i % channels === from);
}

describe('decodeImageFile', () => {
  it('keeps gray as one channel, exactly', async () => {
    const file = join(tmp.dir, 'gray.png');
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    await writePng(file, 16, 16, 1, all);
    const img = await decodeImageFile(file, 'gray.png');
    expect(img).toMatchObject({ id: 'gray.png', width: 16, height: 16, channels: 1 });
    expect(Array.from(img.data)).toEqual(Array.from(all));
    expect(Object.getPrototypeOf(img.data)).toBe(Uint8Array.prototype);
  });

  it('drops the alpha of gray+alpha and RGBA', async () => {
    const ga = pattern(4, 4, 2);
    await writePng(join(tmp.dir, 'ga.png'), 4, 4, 2, ga);
    const g = await decodeImageFile(join(tmp.dir, 'ga.png'), 'ga');
    expect(g.channels).toBe(1);
    expect(Array.from(g.data)).toEqual(channel(ga, 2, 0));

    const rgba = pattern(4, 4, 4);
    await writePng(join(tmp.dir, 'rgba.png'), 4, 4, 4, rgba);
    const c = await decodeImageFile(join(tmp.dir, 'rgba.png'), 'rgba');
    expect(c.channels).toBe(3);
    expect(Array.from(c.data)).toEqual(Array.from(rgba).filter((_, i) => i % 4 !== 3));
  });

  it('decodes RGB PNG exactly and JPEG closely', async () => {
    const rgb = pattern(4, 4, 3, 5);
    await writePng(join(tmp.dir, 'rgb.png'), 4, 4, 3, rgb);
    expect(Array.from((await decodeImageFile(join(tmp.dir, 'rgb.png'), 'x')).data)).toEqual(Array.from(rgb));

    const flat = new Uint8Array(8 * 8 * 3).fill(0).map((_, i) => [200, 100, 50][i % 3]);
    await writeJpeg(join(tmp.dir, 'flat.jpg'), 8, 8, flat);
    const j = await decodeImageFile(join(tmp.dir, 'flat.jpg'), 'flat.jpg');
    expect(j).toMatchObject({ width: 8, height: 8, channels: 3 });
    j.data.forEach((v, i) => expect(Math.abs(v - flat[i])).toBeLessThanOrEqual(2));
  });

  it('ignores an embedded ICC profile (stored values, as Pillow reads them)', async () => {
    const rgb = pattern(4, 4, 3, 9);
    const plain = join(tmp.dir, 'plain.png');
    const p3 = join(tmp.dir, 'p3.png');
    await writePng(plain, 4, 4, 3, rgb);
    await sharp(Buffer.from(rgb), { raw: { width: 4, height: 4, channels: 3 } })
      .withIccProfile('p3')
      .png()
      .toFile(p3);
    // The known pixels of plain.png with p3.png's iCCP chunk spliced in before the image data.
    const file = join(tmp.dir, 'tagged.png');
    writeFileSync(file, withChunk(readFileSync(plain), pngChunk(readFileSync(p3), 'iCCP')));
    expect((await sharp(file).metadata()).hasProfile).toBe(true);
    const managed = await sharp(file).raw().toBuffer();
    expect(Array.from(managed)).not.toEqual(Array.from(rgb)); // sharp alone would convert to sRGB
    expect(Array.from((await decodeImageFile(file, 'tagged')).data)).toEqual(Array.from(rgb));
  });

  it('refuses 16-bit images, non-images and other formats', async () => {
    const deep = join(tmp.dir, 'deep.png');
    await sharp(Buffer.from(new Uint16Array([1, 2, 300, 65535]).buffer), { raw: { width: 2, height: 2, channels: 1 } })
      .toColourspace('grey16')
      .png()
      .toFile(deep);
    expect(await rejectionOf(decodeImageFile(deep, 'deep'))).toMatchObject({
      code: 'LPCV_E_DATASET_CORRUPT',
      message: `${deep}: has ushort samples, only 8-bit images are supported`,
    });

    const text = join(tmp.dir, 'text.png');
    writeFileSync(text, 'not a png');
    expect((await rejectionOf(decodeImageFile(text, 't'))).message).toMatch(/text\.png: not a decodable image/);

    const webp = join(tmp.dir, 'w.png');
    await sharp(Buffer.from(pattern(2, 2, 3)), { raw: { width: 2, height: 2, channels: 3 } })
      .webp()
      .toFile(webp);
    expect((await rejectionOf(decodeImageFile(webp, 'w'))).message).toBe(`${webp}: is webp, expected PNG or JPEG`);

    const cut = join(tmp.dir, 'cut.png');
    await writePng(join(tmp.dir, 'whole.png'), 64, 64, 3, pattern(64, 64, 3));
    writeFileSync(cut, readFileSync(join(tmp.dir, 'whole.png')).subarray(0, 200));
    expect((await rejectionOf(decodeImageFile(cut, 'cut'))).code).toBe('LPCV_E_DATASET_CORRUPT');

    expect((await rejectionOf(decodeImageFile(join(tmp.dir, 'absent.png'), 'a'))).code).toBe('LPCV_E_DATASET_MISSING');
  });
});

describe('decodeMaskFile', () => {
  it('takes gray masks as they are and RGB masks whose channels agree', async () => {
    const labels = Uint8Array.of(0, 1, 2, 255, 3, 3, 0, 1, 2);
    await writePng(join(tmp.dir, 'm1.png'), 3, 3, 1, labels);
    expect(await decodeMaskFile(join(tmp.dir, 'm1.png'))).toEqual({ width: 3, height: 3, data: labels });

    const rgb = new Uint8Array(27).map((_, i) => labels[Math.floor(i / 3)]);
    await writePng(join(tmp.dir, 'm3.png'), 3, 3, 3, rgb);
    expect(await decodeMaskFile(join(tmp.dir, 'm3.png'))).toEqual({ width: 3, height: 3, data: labels });
  });

  it('refuses colour masks, naming the first coloured pixel, and palette PNGs', async () => {
    const rgb = new Uint8Array(12).fill(1);
    rgb[7] = 2; // pixel 2 (x=0, y=1 in a 2x2), green
    const file = join(tmp.dir, 'colour.png');
    await writePng(file, 2, 2, 3, rgb);
    expect(await rejectionOf(decodeMaskFile(file))).toMatchObject({
      code: 'LPCV_E_DATASET_CORRUPT',
      message: `${file}: pixel (0, 1) is RGB (1, 2, 1); a colour PNG must have three equal channels`,
    });

    const pal = join(tmp.dir, 'palette.png');
    await sharp(Buffer.from([128, 0, 0, 0, 128, 0, 0, 0, 0, 128, 128, 0]), { raw: { width: 2, height: 2, channels: 3 } })
      .png({ palette: true, colours: 4, dither: 0 })
      .toFile(pal);
    expect(await rejectionOf(decodeMaskFile(pal))).toMatchObject({
      code: 'LPCV_E_DATASET_CORRUPT',
      message: `${pal}: is a palette (indexed-colour) PNG; save label maps as 8-bit grayscale`,
    });
  });

  it('refuses what would change class values or does not fit 8 bits: 16-bit, 4-bit, alpha, JPEG content', async () => {
    const deep = await writeFileIn(tmp.dir, 'm16.png', encodePng(2, 1, 16, 0, [Buffer.from([0, 1, 1, 0])]));
    expect(await rejectionOf(decodeMaskFile(deep))).toMatchObject({ code: 'LPCV_E_DATASET_CORRUPT', message: `${deep}: has 16-bit samples; expected 8` });
    const fourBit = await writeFileIn(tmp.dir, 'm4.png', encodePng(4, 1, 4, 0, [Buffer.from([0x01, 0x23])]));
    expect(await rejectionOf(decodeMaskFile(fourBit))).toMatchObject({ code: 'LPCV_E_DATASET_CORRUPT', message: `${fourBit}: has 4-bit samples; expected 8` });
    const ga = await writeFileIn(tmp.dir, 'mga.png', encodePng(1, 1, 8, 4, [Buffer.from([5, 255])]));
    expect(await rejectionOf(decodeMaskFile(ga))).toMatchObject({
      code: 'LPCV_E_DATASET_CORRUPT',
      message: `${ga}: has 2 channels (with alpha); expected 1, or 3 equal ones`,
    });
    const jpeg = join(tmp.dir, 'really-a-jpeg.png');
    await writeJpeg(jpeg, 2, 2, new Uint8Array(12).fill(7));
    expect(await rejectionOf(decodeMaskFile(jpeg))).toMatchObject({ code: 'LPCV_E_DATASET_CORRUPT', message: `${jpeg}: is jpeg, not a PNG` });
    expect((await rejectionOf(decodeMaskFile(join(tmp.dir, 'absent.png')))).code).toBe('LPCV_E_DATASET_MISSING');
  });
});

describe('readImageSize', () => {
  it('reads the size from the header', async () => {
    await writePng(join(tmp.dir, 'size.png'), 5, 3, 3, pattern(5, 3, 3));
    expect(await readImageSize(join(tmp.dir, 'size.png'))).toEqual({ width: 5, height: 3 });
  });
});

/** The bytes (length, type, data, CRC) of the first chunk of a type in a PNG file. */
function pngChunk(png: Buffer, type: string): Buffer {
  for (let at = 8; at < png.length;) {
    const length = png.readUInt32BE(at);
    if (png.toString('latin1', at + 4, at + 8) === type) return png.subarray(at, at + 12 + length);
    at += 12 + length;
  }
  throw new Error(`no ${type} chunk`);
}

/** The PNG with a chunk inserted right after IHDR (where iCCP belongs). */
function withChunk(png: Buffer, chunk: Buffer): Buffer {
  const afterHeader = 8 + 12 + png.readUInt32BE(8);
  return Buffer.concat([png.subarray(0, afterHeader), chunk, png.subarray(afterHeader)]);
}
