import { describe, expect, it, vi } from 'vitest';
import type { DecodedImage } from '../datasets/types.js';
import { inputSpecSchema } from '../tracks/track-schema.js';
import { toInputTensor } from './to-tensor.js';

// Any use of sharp in this file is a failure: an image already at the input size must not reach it.
const sharpCalls = vi.hoisted(() => ({ count: 0 }));
vi.mock('sharp', () => ({
  default: () => {
    sharpCalls.count++;
    throw new Error('sharp must not be called without a resize');
  },
}));

describe('toInputTensor fast path', () => {
  it('converts an image already at the input size without calling sharp', async () => {
    const spec = inputSpecSchema.parse({
      name: 'input',
      shape: [1, 1, 28, 28],
      dtype: 'float32',
      layout: 'NCHW',
      preprocess: { channels: 'gray', scale: 0.00392156862745098, mean: [0.286], std: [0.353], resize: true },
    });
    const img: DecodedImage = { id: 'x', width: 28, height: 28, channels: 1, data: new Uint8Array(784).fill(77) };
    for (let i = 0; i < 20; i++) expect((await toInputTensor(img, spec)).length).toBe(784);
    expect(sharpCalls.count).toBe(0);
  });
});
