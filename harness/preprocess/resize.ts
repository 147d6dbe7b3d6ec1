import { loadSharp } from '../datasets/load-sharp.js';
import { LpcvError } from '../../errors/lpcv-error.js';

/**
 * Bilinear resize of HWC 8-bit pixels with sharp (libvips `linear` kernel, fit 'fill': the aspect ratio is
 * not kept). libvips shrinks large reductions by box-averaging first, so results match neither Pillow's nor
 * OpenCV's bilinear bit for bit; a track that needs exact pixels should ship images at the input size.
 */
export async function resizeBilinear(data: Uint8Array, width: number, height: number, channels: 1 | 3, toWidth: number, toHeight: number): Promise<Uint8Array> {
  const sharp = await loadSharp();
  const { data: out, info } = await sharp(data, { raw: { width, height, channels } })
    .resize(toWidth, toHeight, { fit: 'fill', kernel: 'linear' })
    .toColourspace(channels === 1 ? 'b-w' : 'srgb')
    .raw()
    .toBuffer({ resolveWithObject: true });
  if (info.width !== toWidth || info.height !== toHeight || info.channels !== channels) {
    throw new LpcvError('LPCV_E_INTERNAL', `resize to ${toWidth}x${toHeight}x${channels} produced ${info.width}x${info.height}x${info.channels}`);
  }
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}
