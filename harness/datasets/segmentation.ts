import { extname, join } from 'node:path';
import type { InputSet, LabelMask } from './types.js';
import { listImageFiles, listPngFiles } from './dataset-files.js';
import { checkIndex, datasetCorrupt, datasetMissing } from './dataset-errors.js';
import { decodeMaskFile, readImageSize } from './decode-image.js';
import { folderInputs } from './folder-inputs.js';

/**
 * Segmentation data: a folder of images and a folder of PNG label maps, the mask of `a.jpg` being `a.png`.
 * Samples are the images sorted by code point; the sample id is the image's file name. The inputs never
 * look at the masks folder.
 */

export async function segmentationInputs(imagesDir: string): Promise<InputSet> {
  return folderInputs(imagesDir, await listImageFiles(imagesDir));
}

export interface SegmentationMasks {
  ids: string[];
  /** Mask of sample `index` (global), checked to be as large as its image. */
  readMask(index: number): Promise<LabelMask>;
}

/** Pairs every image with its mask; an image without a mask, or a mask without an image, is an error. */
export async function segmentationMasks(imagesDir: string, masksDir: string): Promise<SegmentationMasks> {
  const ids = await listImageFiles(imagesDir);
  const masks = new Set(await listPngFiles(masksDir));
  const maskOf = new Map<string, string>();
  const imageOfMask = new Map<string, string>();
  for (const id of ids) {
    const mask = `${id.slice(0, id.length - extname(id).length)}.png`;
    const other = imageOfMask.get(mask);
    if (other !== undefined) throw datasetCorrupt(join(imagesDir, id), `shares its mask name ${mask} with ${other}`);
    if (!masks.has(mask)) throw datasetMissing(join(masksDir, mask), `mask file of image ${id}`);
    imageOfMask.set(mask, id);
    maskOf.set(id, mask);
  }
  const orphan = [...masks].find((m) => !imageOfMask.has(m));
  if (orphan !== undefined) throw datasetCorrupt(join(masksDir, orphan), 'is a mask without an image');
  return {
    ids,
    async readMask(index: number): Promise<LabelMask> {
      checkIndex(index, ids.length);
      const imageFile = join(imagesDir, ids[index]);
      const maskFile = join(masksDir, maskOf.get(ids[index]) as string);
      const [mask, size] = await Promise.all([decodeMaskFile(maskFile), readImageSize(imageFile)]);
      if (mask.width !== size.width || mask.height !== size.height) {
        throw datasetCorrupt(maskFile, `is ${mask.width}x${mask.height}, its image ${ids[index]} is ${size.width}x${size.height}`);
      }
      return mask;
    },
  };
}
