import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { openInputs } from '../open-split.js';
import { resolveTrack } from '../../tracks/load-track.js';
import type { DecodedImage } from '../types.js';
import { corruptImage, type CorruptionSpec } from './corrupt-image.js';
import { encodeJpeg, jpegReencode } from './jpeg-reencode.js';
import { CORRUPTION_KINDS, PROFILES, SEVERITIES, parameterOf } from './parameters.js';
import { brightness, contrast, gaussianBlur, gaussianKernel, gaussianNoise } from './pixel-corruptions.js';
import { imageSeed, mulberry32, normals } from './prng.js';

const track = resolveTrack('fashion-mnist');
const N = 40;

async function realImages(): Promise<DecodedImage[]> {
  const inputs = await openInputs(track, 'val');
  return Promise.all(Array.from({ length: N }, (_, i) => inputs.read(i)));
}

/** A 32x24 RGB image with colour, edges and dark pixels (black included). */
function rgbImage(id = 'rgb.png'): DecodedImage {
  const width = 32;
  const height = 24;
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const p = (y * width + x) * 3;
      data[p] = x < 16 ? 200 : 20;
      data[p + 1] = (x * 8 + y * 3) & 0xff;
      data[p + 2] = y < 4 ? 0 : 90;
      if (x < 2 && y < 2) data.fill(0, p, p + 3);
    }
  }
  return { id, width, height, channels: 3, data };
}

function sha(images: readonly DecodedImage[]): string {
  const h = createHash('sha256');
  for (const img of images) h.update(`${img.id} ${img.width}x${img.height}x${img.channels}\n`).update(img.data);
  return h.digest('hex');
}

function meanAbsDiff(a: DecodedImage, b: DecodedImage): number {
  let s = 0;
  for (let i = 0; i < a.data.length; i++) s += Math.abs(a.data[i]! - b.data[i]!);
  return s / a.data.length;
}

const spec = (
  kind: CorruptionSpec['kind'],
  severity: CorruptionSpec['severity'],
  seed = 1,
  profile: CorruptionSpec['profile'] = 'imagenet-c',
): CorruptionSpec => ({ kind, severity, seed, profile });

describe('corruptions: determinism', () => {
  it('same seed, same bytes, for every kind, severity and profile, whatever order the images are read in', async () => {
    const images = [...(await realImages()), rgbImage()];
    for (const profile of PROFILES) {
      for (const kind of CORRUPTION_KINDS) {
        for (const severity of SEVERITIES) {
          const s = spec(kind, severity, 7, profile);
          const forward = await Promise.all(images.map((img) => corruptImage(img, s)));
          const backward: DecodedImage[] = [];
          for (let i = images.length - 1; i >= 0; i--) backward.unshift(await corruptImage(images[i]!, s));
          expect(sha(backward), `${profile} ${kind}-${severity}`).toBe(sha(forward));
        }
      }
    }
  });

  it('gives one image the same noise alone as among others, and different seeds or ids different noise', async () => {
    const [a, b] = await realImages();
    const alone = await corruptImage(a!, spec('gaussian-noise', 3, 1));
    await corruptImage(b!, spec('gaussian-noise', 3, 1));
    expect(sha([await corruptImage(a!, spec('gaussian-noise', 3, 1))])).toBe(sha([alone]));
    expect(sha([await corruptImage(a!, spec('gaussian-noise', 3, 2))])).not.toBe(sha([alone]));
    // Same pixels under another id: another seed, other noise.
    expect(sha([{ ...(await corruptImage({ ...a!, id: 'other' }, spec('gaussian-noise', 3, 1))), id: a!.id }])).not.toBe(sha([alone]));
    expect(imageSeed(1, 'gaussian-noise', 3, '00000')).not.toBe(imageSeed(2, 'gaussian-noise', 3, '00000'));
    expect(imageSeed(1, 'gaussian-noise', 3, '00000')).not.toBe(imageSeed(1, 'gaussian-noise', 4, '00000'));
    expect(imageSeed(1, 'gaussian-noise', 3, '00000')).toBe(imageSeed(1, 'gaussian-noise', 3, '00000'));
  });

  it('JPEG re-encoding gives the same JPEG bytes and the same decoded pixels every time', async () => {
    const img = rgbImage();
    const [gray] = await realImages();
    for (const q of [7, 25, 80]) {
      const first = await encodeJpeg(img, q);
      const again = await encodeJpeg(img, q);
      expect(createHash('sha256').update(again).digest('hex')).toBe(createHash('sha256').update(first).digest('hex'));
      expect(sha([await jpegReencode(img, q)])).toBe(sha([await jpegReencode(img, q)]));
      expect(sha([await jpegReencode(gray!, q)])).toBe(sha([await jpegReencode(gray!, q)]));
    }
    // Lower quality, fewer bytes: the quality option reaches the encoder.
    expect((await encodeJpeg(img, 7)).length).toBeLessThan((await encodeJpeg(img, 80)).length);
  });
});

describe('corruptions: each changes the input measurably and keeps its shape', () => {
  it.each(PROFILES)('%s: mean absolute difference above 1 level at severity 1, rising with every severity', async (profile) => {
    const images = await realImages();
    for (const kind of CORRUPTION_KINDS) {
      const mad: number[] = [];
      for (const severity of SEVERITIES) {
        let sum = 0;
        for (const img of images) {
          const out = await corruptImage(img, spec(kind, severity, 1, profile));
          expect([out.id, out.width, out.height, out.channels, out.data.length]).toEqual([img.id, img.width, img.height, img.channels, img.data.length]);
          expect(out.data).toBeInstanceOf(Uint8Array);
          sum += meanAbsDiff(img, out);
        }
        mad.push(sum / images.length);
      }
      expect(mad[0], `${kind} severity 1`).toBeGreaterThan(1);
      for (let s = 1; s < mad.length; s++) expect(mad[s], `${kind} severity ${s + 1} vs ${s}`).toBeGreaterThan(mad[s - 1]!);
    }
  });

  it('keeps the shape of an RGB image and changes it too', async () => {
    const img = rgbImage();
    for (const kind of CORRUPTION_KINDS) {
      const out = await corruptImage(img, spec(kind, 3));
      expect([out.width, out.height, out.channels, out.data.length]).toEqual([32, 24, 3, 32 * 24 * 3]);
      expect(meanAbsDiff(img, out), kind).toBeGreaterThan(1);
    }
  });
});

describe('corruptions: what each computes', () => {
  it('noise has the severity standard deviation and no bias on a mid-gray image', () => {
    const width = 256;
    const img: DecodedImage = { id: 'g', width, height: width, channels: 1, data: new Uint8Array(width * width).fill(128) };
    for (const severity of [1, 3] as const) {
      const sigma = parameterOf('imagenet-c', 'gaussian-noise', severity);
      const out = gaussianNoise(img, sigma, 42);
      let sum = 0;
      let sq = 0;
      for (const v of out.data) {
        const d = (v - 128) / 255;
        sum += d;
        sq += d * d;
      }
      const mean = sum / out.data.length;
      const std = Math.sqrt(sq / out.data.length - mean * mean);
      // Truncation to bytes costs half a level on average; 65,536 draws pin the std within a few percent.
      expect(Math.abs(mean + 0.5 / 255)).toBeLessThan(0.003);
      expect(std).toBeGreaterThan(sigma * 0.95);
      expect(std).toBeLessThan(sigma * 1.05);
    }
  });

  it("blur's kernel is scipy's (radius int(4 sigma + 0.5), normalised), and a flat image stays flat", () => {
    const k = gaussianKernel(1);
    expect(k.length).toBe(9);
    // exp(-x^2/2) for x = -4..4 sums to 2.5066..., so the centre weight is 1 / 2.5066 = 0.39894.
    expect(k[4]).toBeCloseTo(0.398943, 5);
    expect(k[3]).toBeCloseTo(0.241971, 5);
    expect(gaussianKernel(0.4).length).toBe(5);
    expect(gaussianKernel(6).length).toBe(49);
    const flat: DecodedImage = { id: 'f', width: 9, height: 7, channels: 3, data: new Uint8Array(9 * 7 * 3).fill(200) };
    // 200 / 255 * 255 can land a hair under 200 in doubles: truncation, as np.uint8 does.
    for (const v of gaussianBlur(flat, 2).data) expect(v === 200 || v === 199).toBe(true);
  });

  it('brightness raises the HSV value and keeps the hue; black becomes gray', () => {
    const img = rgbImage();
    const out = brightness(img, 0.3);
    // Pixel (20, 10): R 20, G 190, B 90 -> V 190/255 + 0.3 > 1: every channel scaled by 1 / (190/255).
    const p = (10 * 32 + 20) * 3;
    const [r, g, b] = [img.data[p]!, img.data[p + 1]!, img.data[p + 2]!];
    expect([r, g, b]).toEqual([20, 190, 90]);
    expect(out.data[p + 1]).toBe(255);
    expect(out.data[p]).toBe(Math.trunc((20 / 255) * (1 / (190 / 255)) * 255));
    expect(Array.from(out.data.subarray(0, 3))).toEqual([76, 76, 76]);
  });

  it('contrast pulls each channel toward its own mean', () => {
    const img: DecodedImage = { id: 'c', width: 2, height: 1, channels: 3, data: new Uint8Array([0, 100, 255, 255, 100, 255]) };
    const out = contrast(img, 0.2);
    // Channel 0: mean 127.5 -> 127.5 +- 0.2 * 127.5 = 102, 153; channel 1 flat; channel 2 flat at 255.
    expect([out.data[0], out.data[2], out.data[3], out.data[5]]).toEqual([102, 255, 153, 255]);
    for (const i of [1, 4]) expect(out.data[i] === 100 || out.data[i] === 99).toBe(true);
  });

  it('mulberry32 and the normals are in range and not constant', () => {
    const u = mulberry32(123);
    const xs = Array.from({ length: 1000 }, u);
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
    expect(new Set(xs).size).toBe(1000);
    const n = normals(mulberry32(5));
    const zs = Array.from({ length: 4000 }, n);
    expect(Math.abs(zs.reduce((a, b) => a + b, 0) / zs.length)).toBeLessThan(0.06);
  });
});
