import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { InputSpec } from '../tracks/track-schema.js';
import type { DecodedImage } from '../datasets/types.js';
import { inputSpecSchema } from '../tracks/track-schema.js';
import { rejectionOf } from '../../test/testing/lpcv-errors.js';
import { toInputTensor } from './to-tensor.js';

function spec(fields: Partial<Omit<InputSpec, 'preprocess'>> & { preprocess?: Partial<InputSpec['preprocess']> }): InputSpec {
  const gray = { channels: 'gray', scale: 1 / 255, mean: [0.286], std: [0.353] };
  return inputSpecSchema.parse({
    name: 'input',
    shape: [1, 1, 2, 3],
    dtype: 'float32',
    layout: 'NCHW',
    ...fields,
    preprocess: { ...gray, ...fields.preprocess },
  });
}

const rgbNorm = { channels: 'rgb' as const, scale: 1 / 255, mean: [0, 0, 0], std: [1, 1, 1] };

/** A 3x2 RGB image whose value encodes channel, row and column: 100c + 10y + x. */
const rgb: DecodedImage = {
  id: 'rgb.png',
  width: 3,
  height: 2,
  channels: 3,
  data: Uint8Array.from({ length: 18 }, (_, i) => {
    const p = Math.floor(i / 3);
    return 100 * (i % 3) + 10 * Math.floor(p / 3) + (p % 3);
  }),
};
const gray: DecodedImage = { id: 'g.png', width: 3, height: 2, channels: 1, data: Uint8Array.of(0, 1, 2, 10, 11, 12) };

const CHW = [0, 1, 2, 10, 11, 12, 100, 101, 102, 110, 111, 112, 200, 201, 202, 210, 211, 212];

describe('toInputTensor layouts (uint8, raw pixels)', () => {
  it('NCHW, NC and NHWC orders', async () => {
    const nchw = await toInputTensor(rgb, spec({ dtype: 'uint8', shape: [1, 3, 2, 3], preprocess: rgbNorm }));
    expect(nchw).toBeInstanceOf(Uint8Array);
    expect(Array.from(nchw)).toEqual(CHW);
    const nc = await toInputTensor(rgb, spec({ dtype: 'uint8', layout: 'NC', shape: [1, 18], preprocess: rgbNorm }));
    expect(Array.from(nc)).toEqual(CHW);
    const nhwc = await toInputTensor(rgb, spec({ dtype: 'uint8', layout: 'NHWC', shape: [1, 2, 3, 3], preprocess: rgbNorm }));
    expect(Array.from(nhwc)).toEqual(Array.from(rgb.data));
    expect(nhwc).not.toBe(rgb.data);
  });

  it('float32 lays out the same way, normalised per channel', async () => {
    const pre = { channels: 'rgb' as const, scale: 1, mean: [0, 100, 200], std: [1, 2, 4] };
    const nchw = await toInputTensor(rgb, spec({ shape: [1, 3, 2, 3], preprocess: pre }));
    expect(nchw).toBeInstanceOf(Float32Array);
    expect(Array.from(nchw)).toEqual(CHW.map((v, i) => (v - [0, 100, 200][Math.floor(i / 6)]) / [1, 2, 4][Math.floor(i / 6)]));
    const nhwc = await toInputTensor(rgb, spec({ layout: 'NHWC', shape: [1, 2, 3, 3], preprocess: pre }));
    expect(Array.from(nhwc)).toEqual(Array.from(rgb.data, (v, i) => (v - [0, 100, 200][i % 3]) / [1, 2, 4][i % 3]));
  });
});

describe('toInputTensor channels', () => {
  it('gray to RGB repeats; RGB to gray is BT.601 luma', async () => {
    const rep = await toInputTensor(gray, spec({ dtype: 'uint8', layout: 'NHWC', shape: [1, 2, 3, 3], preprocess: rgbNorm }));
    expect(Array.from(rep)).toEqual([0, 0, 0, 1, 1, 1, 2, 2, 2, 10, 10, 10, 11, 11, 11, 12, 12, 12]);
    const red: DecodedImage = { id: 'r', width: 1, height: 1, channels: 3, data: Uint8Array.of(255, 0, 0) };
    const luma = await toInputTensor(red, spec({ dtype: 'uint8', shape: [1, 1, 1, 1] }));
    expect(Array.from(luma)).toEqual([76]); // round(0.299 * 255)
  });
});

describe('toInputTensor float32 arithmetic', () => {
  it("is bit-identical to PyTorch's ((x / 255) - 0.2860) / 0.3530 for every pixel value", async () => {
    const fixture = JSON.parse(readFileSync(new URL('../../test/fixtures/datasets/normalise-float32.json', import.meta.url), 'utf8')) as {
      cases: { name: string; bits: string[][] }[];
    };
    const expected = fixture.cases.find((c) => c.name === 'fashion-mnist')?.bits[0];
    const all: DecodedImage = { id: 'all', width: 16, height: 16, channels: 1, data: Uint8Array.from({ length: 256 }, (_, i) => i) };
    // As in tracks/fashion-mnist/track.json.
    const out = (await toInputTensor(all, spec({ shape: [1, 1, 16, 16], preprocess: { scale: 0.00392156862745098 } }))) as Float32Array;
    expect(Array.from(new Uint32Array(out.buffer), (v) => v.toString(16).padStart(8, '0'))).toEqual(expected);
  });
});

describe('toInputTensor sizes', () => {
  it('refuses a size mismatch unless resize is on', async () => {
    expect(await rejectionOf(toInputTensor(gray, spec({ shape: [1, 1, 4, 4] })))).toMatchObject({
      code: 'LPCV_E_DATASET_CORRUPT',
      message: 'g.png: image is 3x2, the model input input takes 4x4 (input.preprocess.resize is off)',
    });
  });

  it('resizes bilinearly with sharp when asked (constant stays constant, size as asked)', async () => {
    const flat: DecodedImage = { id: 'f', width: 5, height: 3, channels: 3, data: new Uint8Array(45).fill(0).map((_, i) => [10, 20, 30][i % 3]) };
    const out = await toInputTensor(flat, spec({ dtype: 'uint8', shape: [1, 3, 4, 6], preprocess: { ...rgbNorm, resize: true } }));
    expect(out).toHaveLength(72);
    expect(Array.from(out)).toEqual([...Array(24).fill(10), ...Array(24).fill(20), ...Array(24).fill(30)]);
    const ramp: DecodedImage = { id: 'ramp', width: 2, height: 1, channels: 1, data: Uint8Array.of(0, 200) };
    const up = await toInputTensor(ramp, spec({ dtype: 'uint8', shape: [1, 1, 1, 4], preprocess: { resize: true } }));
    expect(Array.from(up)).toEqual(Array.from(up).sort((a, b) => a - b)); // monotone, values in between
    expect(up[0]).toBeLessThan(up[3]);
  });

  it('NC takes the image size when it fits, a square when resizing, and refuses otherwise', async () => {
    const same = await toInputTensor(gray, spec({ layout: 'NC', shape: [1, 6], dtype: 'uint8' }));
    expect(Array.from(same)).toEqual(Array.from(gray.data));
    const square = await toInputTensor(gray, spec({ layout: 'NC', shape: [1, 16], dtype: 'uint8', preprocess: { resize: true } }));
    expect(square).toHaveLength(16);
    expect((await rejectionOf(toInputTensor(gray, spec({ layout: 'NC', shape: [1, 8], preprocess: { resize: true } })))).message).toBe(
      'g.png: image is 3x2, the NC input input takes 8 values = 1 x 8 pixels, and 8 pixels is not a square to resize to',
    );
  });

  it('refuses a shape that contradicts the layout or the channels (a track error)', async () => {
    const c = await rejectionOf(toInputTensor(gray, spec({ shape: [1, 3, 2, 3] })));
    expect(c).toMatchObject({
      code: 'LPCV_E_TRACK_INVALID',
      message: 'input input: shape [1, 3, 2, 3]: 3 channels in the shape, preprocess.channels gray gives 1',
    });
    expect((await rejectionOf(toInputTensor(gray, spec({ shape: [1, 6] })))).message).toBe('input input: shape [1, 6]: layout NCHW needs a shape of 4 dims');
    expect((await rejectionOf(toInputTensor(rgb, spec({ layout: 'NC', shape: [1, 7], preprocess: rgbNorm })))).code).toBe('LPCV_E_TRACK_INVALID');
  });
});
