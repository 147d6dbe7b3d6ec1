import { join } from 'node:path';
import type { CocoGroundTruth } from '../../scoring/coco-map.js';
import type { DecodedImage, InputSet } from './types.js';
import type { CocoImage, CocoInstances } from './coco-json.js';
import { readCocoImages } from './coco-json.js';
import { isLpcvError } from '../../errors/lpcv-error.js';
import { checkIndex, datasetCorrupt, datasetMissing } from './dataset-errors.js';
import { decodeImageFile } from './decode-image.js';
import { statDatasetFile } from './dataset-files.js';

/**
 * Detection data: a COCO instances JSON plus a folder of images. Samples are the JSON's images ordered by
 * image id; the sample id is the image's file_name (a path under the images folder).
 */

/** All images of the JSON as an InputSet; each read checks the decoded size against the JSON's, if given. */
export async function cocoInputs(imagesDir: string, annotationsFile: string): Promise<InputSet & { images: CocoImage[] }> {
  const images = await readCocoImages(annotationsFile);
  const ids = images.map((im) => im.file_name);
  return {
    ids,
    images,
    async read(index: number): Promise<DecodedImage> {
      checkIndex(index, images.length);
      const im = images[index];
      const file = join(imagesDir, im.file_name);
      const decoded = await decodeImageFile(file, im.file_name);
      if ((im.width !== undefined && im.width !== decoded.width) || (im.height !== undefined && im.height !== decoded.height)) {
        throw datasetCorrupt(file, `is ${decoded.width}x${decoded.height}, the annotations say ${im.width}x${im.height} (image ${im.id})`);
      }
      return decoded;
    },
  };
}

/** Fails with LPCV_E_DATASET_MISSING naming the first image file that does not exist. */
export async function checkCocoFiles(imagesDir: string, images: readonly CocoImage[]): Promise<void> {
  const missing = await Promise.all(
    images.map(async (im) => {
      const file = join(imagesDir, im.file_name);
      try {
        await statDatasetFile(file);
        return undefined;
      } catch (e) {
        if (isLpcvError(e) && e.code === 'LPCV_E_DATASET_MISSING') return file;
        throw e;
      }
    }),
  );
  const first = missing.find((f) => f !== undefined);
  if (first !== undefined) throw datasetMissing(first, 'image file');
}

/**
 * The ground truth restricted to samples [start, start + count) of the id order: those images (in that
 * order, so that groundTruth.images[i] is the image of ids[i]), their annotations, all categories.
 */
export function restrictGroundTruth(gt: CocoInstances, start: number, count: number): { ids: string[]; groundTruth: CocoGroundTruth } {
  const images = gt.images.slice(start, start + count);
  const keep = new Set(images.map((im) => im.id));
  return {
    ids: images.map((im) => im.file_name),
    groundTruth: { images, annotations: gt.annotations.filter((a) => keep.has(a.image_id)), categories: gt.categories },
  };
}
