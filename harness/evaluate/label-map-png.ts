import sharp from 'sharp';
import type { Metadata, OutputInfo } from 'sharp';
import { LpcvError } from '../../errors/lpcv-error.js';
import type { InputRole } from './input-paths.js';

/** A decoded single-channel label map: one class value per pixel, row-major. */
export interface LabelMap {
  readonly width: number;
  readonly height: number;
  /** 8-bit PNGs give a Uint8Array, 16-bit ones a Uint16Array. */
  readonly data: Uint8Array | Uint16Array;
}

/**
 * Decodes a PNG label map with sharp into one value per pixel.
 *
 * Accepted: 8- or 16-bit grayscale, or 8- or 16-bit RGB whose three channels are equal at every pixel (some
 * tools write gray masks as RGB); one channel is kept. Rejected (LPCV_E_GT_MALFORMED for ground truth,
 * LPCV_E_PRED_MALFORMED for predictions): non-PNG content, palette PNGs (libvips expands the palette to
 * colours and cannot return the indices), bit depths below 8 (libvips rescales 1/2/4-bit gray to 0..255),
 * alpha channels, and RGB with unequal channels. Embedded ICC profiles are ignored so that no colour
 * conversion ever touches a class value.
 */
export async function readLabelMap(file: string, role: InputRole): Promise<LabelMap> {
  const fail = (why: string): LpcvError =>
    new LpcvError(role === 'ground truth' ? 'LPCV_E_GT_MALFORMED' : 'LPCV_E_PRED_MALFORMED', `${file}: ${why}`, { file });
  const image = sharp(file, { ignoreIcc: true, limitInputPixels: false });
  let meta: Metadata;
  try {
    meta = await image.metadata();
  } catch (e) {
    throw fail(`cannot decode (${(e as Error).message})`);
  }
  if (meta.format !== 'png') throw fail(`is ${meta.format ?? 'not an image'}, not a PNG`);
  if (meta.isPalette) throw fail('is a palette (indexed-colour) PNG; save label maps as 8-bit grayscale');
  const bits = meta.bitsPerSample;
  if (bits !== 8 && bits !== 16) throw fail(`has ${bits ?? '?'}-bit samples; expected 8 or 16`);
  const channels = meta.channels;
  if (channels !== 1 && channels !== 3) {
    throw fail(`has ${channels} channels${meta.hasAlpha ? ' (with alpha)' : ''}; expected 1, or 3 equal ones`);
  }
  const depth = bits === 16 ? 'ushort' : 'uchar';
  const space = channels === 1 ? (bits === 16 ? 'grey16' : 'b-w') : bits === 16 ? 'rgb16' : 'srgb';
  let raw: { data: Buffer; info: OutputInfo };
  try {
    raw = await image.toColourspace(space).raw({ depth }).toBuffer({ resolveWithObject: true });
  } catch (e) {
    throw fail(`cannot decode (${(e as Error).message})`);
  }
  const { width, height } = raw.info;
  if (raw.info.channels !== channels) throw fail(`decoded to ${raw.info.channels} channels, expected ${channels}`);
  const all =
    bits === 16
      ? new Uint16Array(raw.data.buffer, raw.data.byteOffset, raw.data.byteLength / 2)
      : new Uint8Array(raw.data.buffer, raw.data.byteOffset, raw.data.byteLength);
  if (channels === 1) return { width, height, data: all };
  const data = bits === 16 ? new Uint16Array(width * height) : new Uint8Array(width * height);
  for (let i = 0, j = 0; i < data.length; i++, j += 3) {
    const v = all[j];
    if (all[j + 1] !== v || all[j + 2] !== v) {
      throw fail(`pixel (${i % width}, ${Math.floor(i / width)}) is RGB (${v}, ${all[j + 1]}, ${all[j + 2]}); a colour PNG must have three equal channels`);
    }
    data[i] = v;
  }
  return { width, height, data };
}
