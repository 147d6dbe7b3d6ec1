import { loadSharp } from './load-sharp.js';
import type { Metadata, OutputInfo } from 'sharp';
import type { LpcvError } from '../../errors/lpcv-error.js';
import type { LabelMask } from './types.js';

/**
 * The one PNG label-map decoder: a track's segmentation masks (decodeMaskFile) and the files `lpcv
 * evaluate` and solution packages hand in (readLabelMap) are read by the same rules, each caller choosing
 * the error its refusals get.
 */

/** A decoded single-channel label map: one class value per pixel, row-major. */
export interface LabelMap {
  readonly width: number;
  readonly height: number;
  /** 8-bit PNGs give a Uint8Array, 16-bit ones a Uint16Array. */
  readonly data: Uint8Array | Uint16Array;
}

/** Makes the caller's error from the reason a file is refused (the caller names the file and picks the code). */
export type LabelMapRefusal = (why: string) => LpcvError;

/**
 * Decodes a PNG label map (a file path or its bytes) with sharp into one value per pixel.
 *
 * Accepted: 8- or 16-bit grayscale, or 8- or 16-bit RGB whose three channels are equal at every pixel (some
 * tools write gray masks as RGB); one channel is kept. Refused through `refuse`: non-PNG content, palette
 * PNGs (libvips expands the palette to colours and cannot return the indices), bit depths below 8 (libvips
 * rescales 1/2/4-bit gray to 0..255), alpha channels, and RGB with unequal channels: each would silently
 * change class values. Embedded ICC profiles are ignored so that no colour conversion touches a class value.
 */
export async function decodeLabelMapPng(source: string | Buffer, refuse: LabelMapRefusal): Promise<LabelMap> {
  return decode(source, refuse, [8, 16]);
}

/**
 * The same for data sets' masks (LabelMask), whose class indices are 8-bit: 16-bit PNGs are refused too,
 * before any pixel is decoded.
 */
export async function decode8BitLabelMapPng(source: string | Buffer, refuse: LabelMapRefusal): Promise<LabelMask> {
  const { width, height, data } = await decode(source, refuse, [8]);
  // decode refused every depth but 8, and 8-bit samples decode to a Uint8Array.
  return { width, height, data: data as Uint8Array };
}

async function decode(source: string | Buffer, refuse: LabelMapRefusal, depths: readonly (8 | 16)[]): Promise<LabelMap> {
  const image = (await loadSharp())(source, { ignoreIcc: true, limitInputPixels: false });
  let meta: Metadata;
  try {
    meta = await image.metadata();
  } catch (e) {
    throw refuse(`cannot decode (${(e as Error).message})`);
  }
  if (meta.format !== 'png') throw refuse(`is ${meta.format ?? 'not an image'}, not a PNG`);
  if (meta.isPalette) throw refuse('is a palette (indexed-colour) PNG; save label maps as 8-bit grayscale');
  const bits = meta.bitsPerSample;
  if ((bits !== 8 && bits !== 16) || !depths.includes(bits)) throw refuse(`has ${bits ?? '?'}-bit samples; expected ${depths.join(' or ')}`);
  const channels = meta.channels;
  if (channels !== 1 && channels !== 3) {
    throw refuse(`has ${channels} channels${meta.hasAlpha ? ' (with alpha)' : ''}; expected 1, or 3 equal ones`);
  }
  const depth = bits === 16 ? 'ushort' : 'uchar';
  const space = channels === 1 ? (bits === 16 ? 'grey16' : 'b-w') : bits === 16 ? 'rgb16' : 'srgb';
  let raw: { data: Buffer; info: OutputInfo };
  try {
    raw = await image.toColourspace(space).raw({ depth }).toBuffer({ resolveWithObject: true });
  } catch (e) {
    throw refuse(`cannot decode (${(e as Error).message})`);
  }
  const { width, height } = raw.info;
  if (raw.info.channels !== channels) throw refuse(`decoded to ${raw.info.channels} channels, expected ${channels}`);
  const all =
    bits === 16
      ? new Uint16Array(raw.data.buffer, raw.data.byteOffset, raw.data.byteLength / 2)
      : new Uint8Array(raw.data.buffer, raw.data.byteOffset, raw.data.byteLength);
  if (channels === 1) return { width, height, data: all };
  const data = bits === 16 ? new Uint16Array(width * height) : new Uint8Array(width * height);
  for (let i = 0, j = 0; i < data.length; i++, j += 3) {
    const v = all[j];
    if (all[j + 1] !== v || all[j + 2] !== v) {
      throw refuse(`pixel (${i % width}, ${Math.floor(i / width)}) is RGB (${v}, ${all[j + 1]}, ${all[j + 2]}); a colour PNG must have three equal channels`);
    }
    data[i] = v;
  }
  return { width, height, data };
}
