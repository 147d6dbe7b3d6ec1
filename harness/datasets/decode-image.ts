import { loadSharp } from './load-sharp.js';
import type { DecodedImage, LabelMask } from './types.js';
import { readDatasetFile } from './dataset-files.js';
import { datasetCorrupt } from './dataset-errors.js';
import { decode8BitLabelMapPng } from './label-map-png.js';

/**
 * Image decoding with sharp, keeping the stored 8-bit values as Pillow's Image.open(f).convert('RGB'|'L')
 * would: no ICC colour conversion (ignoreIcc), no EXIF auto-rotation, alpha dropped (not composited),
 * gray (with or without alpha) kept as one channel. JPEG decoders may still differ by a level or so
 * between libjpeg builds. 16-bit images are refused rather than silently reduced to 8 bits.
 */

interface RawImage {
  width: number;
  height: number;
  channels: number;
  data: Buffer;
}

async function decodeRaw(file: string): Promise<RawImage> {
  const bytes = await readDatasetFile(file);
  const options = { ignoreIcc: true } as const;
  const sharp = await loadSharp();
  let meta;
  try {
    meta = await sharp(bytes, options).metadata();
  } catch (e) {
    throw datasetCorrupt(file, `not a decodable image (${message(e)})`);
  }
  if (meta.format !== 'png' && meta.format !== 'jpeg') {
    throw datasetCorrupt(file, `is ${meta.format ?? 'an unknown format'}, expected PNG or JPEG`);
  }
  if (meta.depth !== 'uchar') throw datasetCorrupt(file, `has ${meta.depth ?? 'unknown'} samples, only 8-bit images are supported`);
  // sharp turns gray into sRGB on raw output unless told to stay in b-w.
  const gray = meta.channels !== undefined && meta.channels <= 2;
  try {
    const pipeline = sharp(bytes, options);
    const { data, info } = await (gray ? pipeline.toColourspace('b-w') : pipeline).raw().toBuffer({ resolveWithObject: true });
    return { width: info.width, height: info.height, channels: info.channels, data };
  } catch (e) {
    throw datasetCorrupt(file, `cannot be decoded (${message(e)})`);
  }
}

/** Decodes a PNG/JPEG file to 1 (gray) or 3 (RGB) channels. */
export async function decodeImageFile(file: string, id: string): Promise<DecodedImage> {
  const raw = await decodeRaw(file);
  const { width, height } = raw;
  switch (raw.channels) {
    case 1:
      return { id, width, height, channels: 1, data: plain(raw.data) };
    case 2:
      return { id, width, height, channels: 1, data: takeChannels(raw, 1) };
    case 3:
      return { id, width, height, channels: 3, data: plain(raw.data) };
    case 4:
      return { id, width, height, channels: 3, data: takeChannels(raw, 3) };
    default:
      throw datasetCorrupt(file, `has ${raw.channels} channels, expected 1 to 4`);
  }
}

/**
 * Decodes a mask file: one 8-bit class index per pixel, by the rules of the one label-map decoder
 * (label-map-png.ts); whatever it refuses is LPCV_E_DATASET_CORRUPT naming the file.
 */
export async function decodeMaskFile(file: string): Promise<LabelMask> {
  return decode8BitLabelMapPng(await readDatasetFile(file), (why) => datasetCorrupt(file, why));
}

/** Image size from the file header only (no pixel decoding). */
export async function readImageSize(file: string): Promise<{ width: number; height: number }> {
  const bytes = await readDatasetFile(file);
  const sharp = await loadSharp();
  try {
    const meta = await sharp(bytes, { ignoreIcc: true }).metadata();
    if (meta.width === undefined || meta.height === undefined) throw new Error('no size in header');
    return { width: meta.width, height: meta.height };
  } catch (e) {
    throw datasetCorrupt(file, `not a decodable image (${message(e)})`);
  }
}

/** The first `keep` channels of each pixel. */
function takeChannels(raw: RawImage, keep: number): Uint8Array {
  const n = raw.width * raw.height;
  const out = new Uint8Array(n * keep);
  const src = raw.data;
  const step = raw.channels;
  for (let p = 0, i = 0, o = 0; p < n; p++, i += step, o += keep) {
    for (let c = 0; c < keep; c++) out[o + c] = src[i + c];
  }
  return out;
}

/** A plain Uint8Array view of a Buffer (no copy), so that callers never see Buffer-only methods. */
function plain(b: Buffer): Uint8Array {
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
