import type { DecodedImage } from '../types.js';
import { mulberry32, normals } from './prng.js';

/**
 * The pixel corruptions as pure functions over decoded 8-bit images (HWC, row-major), each returning a new
 * image of the same width, height and channels. The arithmetic follows Hendrycks & Dietterich's code step
 * by step in doubles (pixels / 255, the operation, clip to [0, 1], x 255) and ends as their np.uint8() does,
 * by truncation toward zero, so that a value computed the same way lands on the same byte.
 */

function toByte(v: number): number {
  // np.clip(v, 0, 1) * 255, then np.uint8 (truncation).
  const c = v < 0 ? 0 : v > 1 ? 1 : v;
  return Math.trunc(c * 255);
}

function same(img: DecodedImage, data: Uint8Array): DecodedImage {
  return { id: img.id, width: img.width, height: img.height, channels: img.channels, data };
}

/** x + N(0, sigma^2) on every sample (each channel of each pixel its own draw), from a generator seeded with `seed`. */
export function gaussianNoise(img: DecodedImage, sigma: number, seed: number): DecodedImage {
  const normal = normals(mulberry32(seed));
  const src = img.data;
  const out = new Uint8Array(src.length);
  for (let i = 0; i < src.length; i++) out[i] = toByte(src[i]! / 255 + sigma * normal());
  return same(img, out);
}

/**
 * The 1-D kernel of scipy.ndimage.gaussian_filter1d (what skimage.filters.gaussian calls): radius
 * int(truncate * sigma + 0.5) with truncate 4, weights exp(-x^2 / (2 sigma^2)) normalised to sum 1.
 */
export function gaussianKernel(sigma: number): Float64Array {
  const radius = Math.trunc(4 * sigma + 0.5);
  const k = new Float64Array(2 * radius + 1);
  let sum = 0;
  for (let x = -radius; x <= radius; x++) {
    const w = Math.exp((-0.5 / (sigma * sigma)) * x * x);
    k[x + radius] = w;
    sum += w;
  }
  for (let i = 0; i < k.length; i++) k[i]! /= sum;
  return k;
}

/**
 * Gaussian blur of each channel over the two spatial axes (sigma in pixels), separable: rows (y) first,
 * then columns (x), as scipy filters axis 0 then axis 1. Edges repeat the border pixel (skimage's default
 * mode 'nearest').
 */
export function gaussianBlur(img: DecodedImage, sigma: number): DecodedImage {
  const { width: w, height: h, channels: ch } = img;
  const k = gaussianKernel(sigma);
  const r = (k.length - 1) / 2;
  const src = new Float64Array(img.data.length);
  for (let i = 0; i < src.length; i++) src[i] = img.data[i]! / 255;
  const mid = new Float64Array(src.length);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      for (let c = 0; c < ch; c++) {
        let acc = 0;
        for (let j = -r; j <= r; j++) {
          const yy = y + j < 0 ? 0 : y + j >= h ? h - 1 : y + j;
          acc += k[j + r]! * src[(yy * w + x) * ch + c]!;
        }
        mid[(y * w + x) * ch + c] = acc;
      }
    }
  }
  const out = new Uint8Array(src.length);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      for (let c = 0; c < ch; c++) {
        let acc = 0;
        for (let j = -r; j <= r; j++) {
          const xx = x + j < 0 ? 0 : x + j >= w ? w - 1 : x + j;
          acc += k[j + r]! * mid[(y * w + xx) * ch + c]!;
        }
        out[(y * w + x) * ch + c] = toByte(acc);
      }
    }
  }
  return same(img, out);
}

/**
 * Brightness: `delta` added to the HSV value, clipped to 1, hue and saturation kept (ImageNet-C goes
 * rgb2hsv -> V + c -> hsv2rgb). With hue and saturation fixed every channel is proportional to V, so this
 * is each channel times V' / V; a black pixel (V = 0, saturation 0) becomes gray V'. A gray image's value
 * is its one channel. Equal to the HSV round trip up to double rounding.
 */
export function brightness(img: DecodedImage, delta: number): DecodedImage {
  const src = img.data;
  const ch = img.channels;
  const out = new Uint8Array(src.length);
  for (let p = 0; p < src.length; p += ch) {
    let v = 0;
    for (let c = 0; c < ch; c++) v = Math.max(v, src[p + c]! / 255);
    const v2 = Math.min(1, v + delta);
    for (let c = 0; c < ch; c++) out[p + c] = toByte(v === 0 ? v2 : (src[p + c]! / 255) * (v2 / v));
  }
  return same(img, out);
}

/** Contrast: each channel's distance from its mean over the image times `factor`: (x - mean) * factor + mean. */
export function contrast(img: DecodedImage, factor: number): DecodedImage {
  const src = img.data;
  const ch = img.channels;
  const n = img.width * img.height;
  const means = new Float64Array(ch);
  for (let p = 0; p < src.length; p += ch) for (let c = 0; c < ch; c++) means[c]! += src[p + c]! / 255;
  for (let c = 0; c < ch; c++) means[c]! /= n;
  const out = new Uint8Array(src.length);
  for (let p = 0; p < src.length; p += ch) {
    for (let c = 0; c < ch; c++) out[p + c] = toByte((src[p + c]! / 255 - means[c]!) * factor + means[c]!);
  }
  return same(img, out);
}
