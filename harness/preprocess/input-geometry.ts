import type { InputSpec } from '../tracks/track-schema.js';
import { LpcvError } from '../../errors/lpcv-error.js';
import { datasetCorrupt } from '../datasets/dataset-errors.js';

export interface InputGeometry {
  channels: 1 | 3;
  height: number;
  width: number;
}

/** 1 for preprocess.channels 'gray', 3 for 'rgb'. */
export function inputChannels(spec: InputSpec): 1 | 3 {
  return spec.preprocess.channels === 'gray' ? 1 : 3;
}

/**
 * The image size the model input takes, read from spec.shape by layout: NCHW [N, C, H, W], NHWC [N, H, W, C],
 * NC [N, C*H*W]. NC has no H and W of its own: it takes the image's own size when C*H*W matches, else (with
 * resize on) a square H = W = sqrt(D / C); otherwise the image does not fit (LPCV_E_DATASET_CORRUPT). A shape that contradicts the layout or preprocess.channels is a
 * bad track (LPCV_E_TRACK_INVALID).
 */
export function inputGeometry(spec: InputSpec, image: { id: string; width: number; height: number }): InputGeometry {
  const channels = inputChannels(spec);
  const { shape, layout } = spec;
  const rank = layout === 'NC' ? 2 : 4;
  if (shape.length !== rank) throw trackInvalid(spec, `layout ${layout} needs a shape of ${rank} dims`);
  if (layout === 'NCHW' || layout === 'NHWC') {
    const [c, height, width] = layout === 'NCHW' ? [shape[1], shape[2], shape[3]] : [shape[3], shape[1], shape[2]];
    if (c !== channels) throw trackInvalid(spec, `${c} channels in the shape, preprocess.channels ${spec.preprocess.channels} gives ${channels}`);
    return { channels, height, width };
  }
  const values = shape[1];
  if (values % channels !== 0) throw trackInvalid(spec, `${values} values is not a multiple of ${channels} channels`);
  const pixels = values / channels;
  if (image.width * image.height === pixels) return { channels, height: image.height, width: image.width };
  const side = Math.round(Math.sqrt(pixels));
  if (spec.preprocess.resize && side * side === pixels) return { channels, height: side, width: side };
  const why = spec.preprocess.resize ? `, and ${pixels} pixels is not a square to resize to` : ' (input.preprocess.resize is off)';
  throw datasetCorrupt(
    image.id,
    `image is ${image.width}x${image.height}, the NC input ${spec.name} takes ${values} values = ${channels} x ${pixels} pixels${why}`,
  );
}

function trackInvalid(spec: InputSpec, what: string): LpcvError {
  return new LpcvError('LPCV_E_TRACK_INVALID', `input ${spec.name}: shape [${spec.shape.join(', ')}]: ${what}`, {
    input: spec.name,
    shape: [...spec.shape],
  });
}
