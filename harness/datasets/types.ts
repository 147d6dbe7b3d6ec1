import type { CocoGroundTruth } from '../../scoring/coco-map.js';

/** One decoded image: 8-bit pixels, HWC, row-major (pixel (x, y) channel c at (y * width + x) * channels + c). */
export interface DecodedImage {
  /** The sample id: the file name for folder formats, the zero-padded global index for IDX. */
  id: string;
  width: number;
  height: number;
  channels: 1 | 3;
  data: Uint8Array;
}

/**
 * The inputs of one split, without labels: what a device agent may see.
 * `read(i)` is random access over 0..ids.length-1 (indices within the split, not global ones).
 */
export interface InputSet {
  readonly ids: readonly string[];
  read(index: number): Promise<DecodedImage>;
}

/** A segmentation label map: one class index per pixel, row-major. */
export interface LabelMask {
  width: number;
  height: number;
  data: Uint8Array;
}

/** The labels of one split; `ids` is in the same order as the InputSet's. Only the server reads these. */
export type LabelSet =
  | { task: 'classification'; ids: string[]; labels: number[] }
  /** groundTruth.images[i] is the image of ids[i]; only the split's images and their annotations. */
  | { task: 'detection'; ids: string[]; groundTruth: CocoGroundTruth }
  | { task: 'segmentation'; ids: string[]; ignoreIndex?: number; readMask(index: number): Promise<LabelMask> };
