import type { DecodedImage, InputSet } from '../../types.js';

/**
 * For the tests: a small InputSet of made-up images, gray and RGB, of varied sizes. Pixel values follow
 * from (image, byte index), so two sets built alike are equal, and `reads` logs every read(i) call.
 */
export function syntheticInputs(specs: readonly { id: string; width: number; height: number; channels: 1 | 3 }[]): InputSet & {
  reads: number[];
  image(index: number): DecodedImage;
} {
  const image = (index: number): DecodedImage => {
    const { id, width, height, channels } = specs[index];
    const data = new Uint8Array(width * height * channels);
    for (let b = 0; b < data.length; b++) data[b] = (b * 31 + index * 17 + (b >> 3)) & 0xff;
    return { id, width, height, channels, data };
  };
  const reads: number[] = [];
  return {
    ids: specs.map((s) => s.id),
    reads,
    image,
    async read(index: number) {
      reads.push(index);
      return image(index);
    },
  };
}

export const MIXED_SPECS = [
  { id: 'a.png', width: 4, height: 3, channels: 1 },
  { id: 'b.jpg', width: 5, height: 2, channels: 3 },
  { id: 'c.png', width: 1, height: 1, channels: 1 },
  { id: 'd é.png', width: 7, height: 6, channels: 3 },
] as const;
