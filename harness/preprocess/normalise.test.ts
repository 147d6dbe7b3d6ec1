import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { normaliseTable, normaliseTables, reciprocalInteger } from './normalise.js';

/** Written by test/fixtures/datasets/make-preprocess-fixtures.py with torch on the CPU. */
interface Fixture {
  torch: string;
  cases: { name: string; mean: number[]; std: number[]; divisor: number; bits: string[][] }[];
  divide255: string[];
  multiplyReciprocal255: string[];
}
const fixture = JSON.parse(readFileSync(new URL('../../test/fixtures/datasets/normalise-float32.json', import.meta.url), 'utf8')) as Fixture;

function bits(values: Float32Array): string[] {
  const u = new Uint32Array(values.buffer, values.byteOffset, values.length);
  return Array.from(u, (v) => v.toString(16).padStart(8, '0'));
}

describe('normaliseTable', () => {
  it.each(fixture.cases.flatMap((c) => c.mean.map((mean, ch) => ({ name: `${c.name}[${ch}]`, mean, std: c.std[ch], expected: c.bits[ch] }))))(
    'matches PyTorch float32 ((x / 255) - mean) / std bit for bit: $name',
    ({ mean, std, expected }) => {
      expect(bits(normaliseTable(1 / 255, mean, std))).toEqual(expected);
      // The track file writes the scale as a decimal; a rounded 1/255 still means dividing by 255.
      expect(bits(normaliseTable(0.00392156862745098, mean, std))).toEqual(expected);
      expect(bits(normaliseTable(0.00392157, mean, std))).toEqual(expected);
    },
  );

  it('divides by 255 rather than multiplying by float32(1/255), which PyTorch disagrees with', () => {
    expect(bits(normaliseTable(1 / 255, 0, 1))).toEqual(fixture.divide255);
    const multiplied = Float32Array.from({ length: 256 }, (_, x) => Math.fround(x * Math.fround(1 / 255)));
    expect(bits(multiplied)).toEqual(fixture.multiplyReciprocal255);
    const differ = fixture.divide255.filter((b, i) => b !== fixture.multiplyReciprocal255[i]).length;
    expect(differ).toBe(126);
  });

  it('multiplies for a scale that is not 1/k', () => {
    const t = normaliseTable(0.5, 1, 2);
    expect(Array.from(t.subarray(0, 4))).toEqual([-0.5, -0.25, 0, 0.25]);
    expect(reciprocalInteger(0.5)).toBe(2);
    expect(reciprocalInteger(0.3)).toBeUndefined();
    expect(reciprocalInteger(1)).toBe(1);
    expect(reciprocalInteger(2)).toBeUndefined();
    expect(reciprocalInteger(0.0039)).toBeUndefined();
  });
});

describe('normaliseTables', () => {
  it('builds one table per channel and reuses them', () => {
    const pre = { resize: false, channels: 'rgb' as const, scale: 1 / 255, mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] };
    const tables = normaliseTables(pre);
    expect(tables).toHaveLength(3);
    expect(normaliseTables({ ...pre })).toBe(tables);
    expect(bits(tables[2] as Float32Array)).toEqual(fixture.cases[1].bits[2]);
  });
});
