import type { InputSpec } from '../tracks/track-schema.js';
import type { DecodedImage } from '../datasets/types.js';
import { LpcvError } from '../../errors/lpcv-error.js';
import { datasetCorrupt } from '../datasets/dataset-errors.js';
import { grayToRgb, rgbToGray } from './convert-channels.js';
import { inputChannels, inputGeometry } from './input-geometry.js';
import { normaliseTables } from './normalise.js';
import { resizeBilinear } from './resize.js';

/**
 * One decoded image -> the model's input tensor data (batch 1), in this order:
 *   1. RGB -> gray when the input is gray (BT.601 luma as Pillow's convert('L'), convert-channels.ts);
 *   2. resize (sharp bilinear, fit 'fill') when the image differs from the input size and
 *      preprocess.resize is on; a size mismatch with resize off is LPCV_E_DATASET_CORRUPT;
 *   3. gray -> RGB (repeat) when the input is RGB;
 *   4. float32: ((x / 255) - mean[c]) / std[c] with PyTorch's float32 rounding (normalise.ts);
 *      uint8: the pixels unchanged (no scale, no mean/std);
 *   5. laid out per spec.layout: NCHW [1, C, H, W]; NHWC [1, H, W, C]; NC [1, C*H*W] in CHW order.
 * No sharp call unless a resize is needed: a 28x28 gray image is 784 table look-ups.
 */
export async function toInputTensor(img: DecodedImage, spec: InputSpec): Promise<Float32Array | Uint8Array> {
  if (img.data.length !== img.width * img.height * img.channels) {
    throw new LpcvError('LPCV_E_INTERNAL', `${img.id}: ${img.data.length} bytes for ${img.width}x${img.height}x${img.channels} pixels`);
  }
  const want = inputChannels(spec);
  let { data, width, height } = img;
  let channels = img.channels;
  if (channels === 3 && want === 1) {
    data = rgbToGray(data, width * height);
    channels = 1;
  }
  const target = inputGeometry(spec, img);
  if (target.width !== width || target.height !== height) {
    if (!spec.preprocess.resize) {
      throw datasetCorrupt(
        img.id,
        `image is ${width}x${height}, the model input ${spec.name} takes ${target.width}x${target.height} (input.preprocess.resize is off)`,
      );
    }
    data = await resizeBilinear(data, width, height, channels, target.width, target.height);
    width = target.width;
    height = target.height;
  }
  if (channels === 1 && want === 3) data = grayToRgb(data, width * height);
  const planar = spec.layout !== 'NHWC';
  if (spec.dtype === 'uint8') {
    if (planar && want === 3) return toPlanar(data, width * height, new Uint8Array(data.length));
    return data === img.data ? data.slice() : data; // never hand out the caller's own buffer
  }
  const tables = normaliseTables(spec.preprocess);
  const out = new Float32Array(data.length);
  if (want === 1) {
    const t = tables[0];
    for (let i = 0; i < data.length; i++) out[i] = t[data[i]];
    return out;
  }
  const pixels = width * height;
  const [t0, t1, t2] = tables;
  if (planar) {
    for (let p = 0, i = 0; p < pixels; p++, i += 3) {
      out[p] = t0[data[i]];
      out[pixels + p] = t1[data[i + 1]];
      out[2 * pixels + p] = t2[data[i + 2]];
    }
  } else {
    for (let i = 0; i < data.length; i += 3) {
      out[i] = t0[data[i]];
      out[i + 1] = t1[data[i + 1]];
      out[i + 2] = t2[data[i + 2]];
    }
  }
  return out;
}

/** HWC RGB -> CHW. */
function toPlanar(hwc: Uint8Array, pixels: number, out: Uint8Array): Uint8Array {
  for (let p = 0, i = 0; p < pixels; p++, i += 3) {
    out[p] = hwc[i];
    out[pixels + p] = hwc[i + 1];
    out[2 * pixels + p] = hwc[i + 2];
  }
  return out;
}
