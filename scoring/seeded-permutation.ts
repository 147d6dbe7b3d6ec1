/**
 * A permutation of 0..n-1 fixed by a seed: the order of the latency pool's samples under protocol v2 is seeded by
 * the track's protocol seed, so that the same seed gives the same order on every machine and in every language
 * that implements mulberry32 (32-bit integer arithmetic only, no platform random). Pure.
 *
 * Fisher-Yates (Durstenfeld's in-place form): for i from n - 1 down to 1, swap entry i with entry
 * j = floor(u * (i + 1)), u the next mulberry32 number in [0, 1). Each of the n! orders is equally likely up to
 * the generator's 2^-32 resolution (a bias below n / 2^32 per draw: nothing for a pool of hundreds).
 */
import { LpcvError } from '../errors/lpcv-error.js';
import { mulberry32 } from './mulberry32.js';

/** The seed's permutation of 0..n-1. n an integer >= 0; seed an integer in [0, 2^32), refused otherwise (LPCV_E_FORMULA_INPUT). */
export function seededPermutation(n: number, seed: number): number[] {
  if (!Number.isSafeInteger(n) || n < 0) throw new LpcvError('LPCV_E_FORMULA_INPUT', `a permutation needs an integer length >= 0, got ${n}`);
  // mulberry32 reads the seed modulo 2^32: refuse what it would silently alias (-1 as 2^32 - 1, 2^32 as 0).
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
    throw new LpcvError('LPCV_E_FORMULA_INPUT', `a permutation seed must be an integer in [0, 2^32), got ${seed}`);
  }
  const rng = mulberry32(seed);
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    const t = order[i];
    order[i] = order[j];
    order[j] = t;
  }
  return order;
}
