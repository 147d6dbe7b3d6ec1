import { join } from 'node:path';
import type { DecodedImage, InputSet } from './types.js';
import { decodeImageFile } from './decode-image.js';
import { checkIndex } from './dataset-errors.js';

/** Images of a folder as an InputSet, in the given order; sample id = file name. Decoded on each read. */
export function folderInputs(dir: string, names: readonly string[]): InputSet {
  const ids = [...names];
  return {
    ids,
    async read(index: number): Promise<DecodedImage> {
      checkIndex(index, ids.length);
      return decodeImageFile(join(dir, ids[index]), ids[index]);
    },
  };
}
