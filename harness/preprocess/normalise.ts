import type { InputSpec } from '../tracks/track-schema.js';

type Preprocess = InputSpec['preprocess'];

/**
 * Float32 normalisation of 8-bit pixels, bit-for-bit what PyTorch computes on the CPU for
 *     ((x.float() / 255) - mean) / std        (= torchvision ToTensor() then Normalize(mean, std))
 * PyTorch does three float32 operations, each correctly rounded, with mean and std first rounded to float32
 * (Normalize makes float32 tensors of them). Here each step is the double result rounded with Math.fround,
 * which equals the correctly rounded float32 result for +, -, *, / of float32 operands (double has more
 * than 2 x 24 + 2 significand bits, so the double rounding is innocuous):
 *     t = fround(x / k)                 when scale is 1/k for an integer k (within 1e-6 relative):
 *                                       scale 1/255 divides by 255, as x.float() / 255 does;
 *     t = fround(x * fround(scale))     for any other scale;
 *     v = fround(fround(t - fround(mean[c])) / fround(std[c])).
 * Dividing by 255 and multiplying by float32(1/255) disagree in the last bit for 126 of the 256 pixel
 * values (test/fixtures/datasets/normalise-float32.json), hence the division. The 256 results per channel
 * are computed once per (scale, mean, std) and looked up per pixel.
 */
export function normaliseTables(pre: Preprocess): readonly Float32Array[] {
  // Loaded tracks are deep-frozen, so their preprocess object can key the cache by identity (no per-image
  // string building); an unfrozen one could change between calls and is keyed by value.
  const frozen = Object.isFrozen(pre) && Object.isFrozen(pre.mean) && Object.isFrozen(pre.std);
  let tables = frozen ? byObject.get(pre) : undefined;
  if (tables !== undefined) return tables;
  const key = JSON.stringify([pre.scale, pre.mean, pre.std]);
  tables = byValue.get(key);
  if (tables === undefined) {
    tables = pre.mean.map((mean, c) => normaliseTable(pre.scale, mean, pre.std[c]));
    byValue.set(key, tables);
  }
  if (frozen) byObject.set(pre, tables);
  return tables;
}

const byObject = new WeakMap<object, Float32Array[]>();
const byValue = new Map<string, Float32Array[]>();

export function normaliseTable(scale: number, mean: number, std: number): Float32Array {
  const divisor = reciprocalInteger(scale);
  const scale32 = Math.fround(scale);
  const mean32 = Math.fround(mean);
  const std32 = Math.fround(std);
  const table = new Float32Array(256);
  for (let x = 0; x < 256; x++) {
    const t = divisor !== undefined ? Math.fround(x / divisor) : Math.fround(x * scale32);
    table[x] = Math.fround(Math.fround(t - mean32) / std32);
  }
  return table;
}

/** k when scale is 1/k for an integer k >= 1 (up to 1e-6 relative, so that 0.00392157 still means 1/255). */
export function reciprocalInteger(scale: number): number | undefined {
  const k = Math.round(1 / scale);
  return k >= 1 && Math.abs(k * scale - 1) <= 1e-6 ? k : undefined;
}
