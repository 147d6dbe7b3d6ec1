import { describe, expect, it } from 'vitest';
import { seededPermutation } from './seeded-permutation.js';
import { mulberry32 } from './mulberry32.js';
import { errorOf } from '../test/testing/lpcv-errors.js';

describe('seededPermutation', () => {
  it('shuffles 0..5 with seed 1 as Fisher-Yates by hand gives', () => {
    // mulberry32(1)'s first five numbers (the same from an independent Python transcription of the reference C,
    // with 32-bit masks): 0.62707394, 0.00273572, 0.52744704, 0.98105097, 0.96837790. Checked here so that a
    // change of the generator shows up as such.
    const g = mulberry32(1);
    const u = [g(), g(), g(), g(), g()];
    expect(u.map((x) => x.toFixed(8))).toEqual(['0.62707394', '0.00273572', '0.52744704', '0.98105097', '0.96837790']);
    // Start [0 1 2 3 4 5].
    // i = 5: j = floor(0.627 * 6 = 3.76) = 3, swap -> [0 1 2 5 4 3]
    // i = 4: j = floor(0.0027 * 5 = 0.01) = 0, swap -> [4 1 2 5 0 3]
    // i = 3: j = floor(0.527 * 4 = 2.11) = 2, swap -> [4 1 5 2 0 3]
    // i = 2: j = floor(0.981 * 3 = 2.94) = 2, stays; i = 1: j = floor(0.968 * 2 = 1.94) = 1, stays.
    expect(seededPermutation(6, 1)).toEqual([4, 1, 5, 2, 0, 3]);
  });

  it('shuffles 0..5 with seed 42 as Fisher-Yates by hand gives', () => {
    // mulberry32(42): 0.60110375, 0.44829056, 0.85246579, 0.66973404, 0.17481390.
    // i = 5: j = floor(3.61) = 3 -> [0 1 2 5 4 3]; i = 4: j = floor(2.24) = 2 -> [0 1 4 5 2 3];
    // i = 3: j = floor(3.41) = 3, stays; i = 2: j = floor(2.01) = 2, stays; i = 1: j = floor(0.35) = 0 -> [1 0 4 5 2 3].
    expect(seededPermutation(6, 42)).toEqual([1, 0, 4, 5, 2, 3]);
  });

  it('gives the same order for the same seed and a different one for another seed', () => {
    const a = seededPermutation(256, 20260101);
    expect(seededPermutation(256, 20260101)).toEqual(a);
    expect([...a].sort((x, y) => x - y)).toEqual(Array.from({ length: 256 }, (_, i) => i)); // a permutation
    expect(seededPermutation(256, 20260102)).not.toEqual(a);
    expect(seededPermutation(256, 0)).not.toEqual(a);
  });

  it('handles the empty and one-element cases and the ends of the seed range', () => {
    expect(seededPermutation(0, 5)).toEqual([]);
    expect(seededPermutation(1, 5)).toEqual([0]);
    expect(seededPermutation(10, 0)).toHaveLength(10);
    expect(seededPermutation(10, 0xffffffff)).toHaveLength(10);
  });

  it('makes each order of 3 items about equally likely over seeds', () => {
    // 6000 seeds, 6 orders: 1000 expected each, standard deviation sqrt(6000 * 1/6 * 5/6) = 28.9; 150 is > 5 sd.
    const counts = new Map<string, number>();
    for (let seed = 0; seed < 6000; seed++) {
      const key = seededPermutation(3, seed).join('');
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    expect([...counts.keys()].sort()).toEqual(['012', '021', '102', '120', '201', '210']);
    for (const c of counts.values()) expect(Math.abs(c - 1000)).toBeLessThan(150);
  });

  it('refuses a bad length or a seed mulberry32 would alias', () => {
    for (const n of [-1, 2.5, Number.NaN]) expect(errorOf(() => seededPermutation(n, 1)).code).toBe('LPCV_E_FORMULA_INPUT');
    for (const seed of [-1, 2 ** 32, 1.5, Number.NaN]) expect(errorOf(() => seededPermutation(4, seed)).code).toBe('LPCV_E_FORMULA_INPUT');
  });
});
