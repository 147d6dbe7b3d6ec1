import { loadSharp } from '../load-sharp.js';
import { LpcvError } from '../../../errors/lpcv-error.js';
import type { DecodedImage } from '../types.js';

/**
 * Every encoder option that could vary between sharp's defaults and versions is fixed: baseline (not
 * progressive) JPEG, 4:2:0 chroma subsampling as Pillow's default (ImageNet-C saves with Pillow), no
 * mozjpeg, trellis quantisation, overshoot deringing, scan optimisation or Huffman table optimisation.
 * libjpeg(-turbo) is deterministic for fixed input and options, so the same image and quality give the
 * same bytes on the same build; a different libjpeg build may differ by a level here and there
 * (docs/robustness.md).
 */
const JPEG_OPTIONS = {
  progressive: false,
  chromaSubsampling: '4:2:0',
  optimiseCoding: false,
  mozjpeg: false,
  trellisQuantisation: false,
  overshootDeringing: false,
  optimiseScans: false,
  quantisationTable: 0,
} as const;

/** Encodes to JPEG at `quality` (1-100). The JPEG bytes themselves, for tests and audits. */
export async function encodeJpeg(img: DecodedImage, quality: number): Promise<Buffer> {
  const sharp = await loadSharp();
  return sharp(Buffer.from(img.data.buffer, img.data.byteOffset, img.data.byteLength), {
    raw: { width: img.width, height: img.height, channels: img.channels },
  })
    .jpeg({ quality, ...JPEG_OPTIONS })
    .toBuffer();
}

/** JPEG re-encoding: the image encoded at `quality` and decoded back to the same width, height and channels. */
export async function jpegReencode(img: DecodedImage, quality: number): Promise<DecodedImage> {
  const jpeg = await encodeJpeg(img, quality);
  const decoder = (await loadSharp())(jpeg, { ignoreIcc: true });
  const { data, info } = await (img.channels === 1 ? decoder.toColourspace('b-w') : decoder).raw().toBuffer({ resolveWithObject: true });
  if (info.width !== img.width || info.height !== img.height || info.channels !== img.channels) {
    throw new LpcvError(
      'LPCV_E_INTERNAL',
      `${img.id}: JPEG re-encoding gave ${info.width}x${info.height}x${info.channels}, expected ${img.width}x${img.height}x${img.channels}`,
    );
  }
  return { id: img.id, width: img.width, height: img.height, channels: img.channels, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
}
