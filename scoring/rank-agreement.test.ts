import { describe, expect, it } from 'vitest';
import { flippedPairs, kendallTau } from './rank-agreement.js';
import { errorOf } from '../test/testing/lpcv-errors.js';

describe('kendallTau', () => {
  it('is 1 for the same order and -1 for the reverse', () => {
    expect(kendallTau(['a', 'b', 'c'], ['a', 'b', 'c'])).toBe(1);
    expect(kendallTau(['a', 'b', 'c', 'd', 'e', 'f'], ['f', 'e', 'd', 'c', 'b', 'a'])).toBe(-1);
  });

  it('counts concordant and discordant pairs (by hand; scipy.stats.kendalltau gives the same)', () => {
    // One swapped neighbour pair among 4 items: C = 5, D = 1 of 6 pairs -> 4/6.
    // scipy.stats.kendalltau([0,1,2,3], [1,0,2,3]).statistic = 0.6666666666666669
    expect(kendallTau(['a', 'b', 'c', 'd'], ['b', 'a', 'c', 'd'])).toBeCloseTo(2 / 3, 14);
    // b's positions of a's items: a->1 b->3 c->0 d->4 e->2, i.e. [1, 3, 0, 4, 2]. Discordant pairs (an earlier
    // entry larger): (1,0) (3,0) (3,2) (4,2) = 4, concordant 6 of 10 -> 0.2.
    // scipy.stats.kendalltau([0,1,2,3,4], [1,3,0,4,2]).statistic = 0.19999999999999998
    expect(kendallTau(['a', 'b', 'c', 'd', 'e'], ['c', 'a', 'e', 'b', 'd'])).toBeCloseTo(0.2, 14);
    // Six baselines, two swaps inside two halves: positions [2, 0, 1, 5, 3, 4]: discordant (2,0) (2,1) (5,3) (5,4)
    // = 4 of 15 -> 7/15. scipy: 0.4666666666666666.
    const a = ['m0', 'm1', 'm2', 'm3', 'm4', 'm5'];
    const b = ['m1', 'm2', 'm0', 'm4', 'm5', 'm3'];
    expect(kendallTau(a, b)).toBeCloseTo(7 / 15, 14);
    expect(kendallTau(b, a)).toBeCloseTo(7 / 15, 14); // symmetric
  });

  it('refuses different item sets, repeated items and fewer than 2 items', () => {
    expect(errorOf(() => kendallTau(['a', 'b'], ['a', 'c'])).message).toMatch(/different items/);
    expect(errorOf(() => kendallTau(['a', 'b', 'c'], ['a', 'b'])).code).toBe('LPCV_E_FORMULA_INPUT');
    expect(errorOf(() => kendallTau(['a', 'a', 'b'], ['a', 'b', 'a'])).message).toMatch(/twice/);
    expect(errorOf(() => kendallTau(['a'], ['a'])).code).toBe('LPCV_E_FORMULA_INPUT');
    expect(errorOf(() => kendallTau([], [])).code).toBe('LPCV_E_FORMULA_INPUT');
  });
});

describe('flippedPairs', () => {
  it('lists each pair ordered both ways, majority order first, with the minority count', () => {
    // (a,b): a first in rankings 0 and 2, b first in 1 -> times 1. (a,c): a always first. (b,c): b first in 0 and
    // 1, c first in 2 -> times 1. Equal times: in ranking 0's order, (a,b) before (b,c).
    const r = flippedPairs([
      ['a', 'b', 'c'],
      ['b', 'a', 'c'],
      ['a', 'c', 'b'],
    ]);
    expect(r).toEqual([
      { a: 'a', b: 'b', times: 1 },
      { a: 'b', b: 'c', times: 1 },
    ]);
  });

  it('names the majority order even when the first ranking is in the minority, and breaks an even split by it', () => {
    expect(
      flippedPairs([
        ['b', 'a'],
        ['a', 'b'],
        ['a', 'b'],
      ]),
    ).toEqual([{ a: 'a', b: 'b', times: 1 }]);
    expect(
      flippedPairs([
        ['b', 'a'],
        ['a', 'b'],
      ]),
    ).toEqual([{ a: 'b', b: 'a', times: 1 }]);
  });

  it('puts the most flipped pair first', () => {
    // (a,b): a first in rankings 0, 3, 4, b first in 1, 2 -> times 2. (c,d): d first only in 2 -> times 1.
    const r = flippedPairs([
      ['c', 'd', 'a', 'b'],
      ['c', 'd', 'b', 'a'],
      ['d', 'c', 'b', 'a'],
      ['c', 'd', 'a', 'b'],
      ['c', 'd', 'a', 'b'],
    ]);
    expect(r).toEqual([
      { a: 'a', b: 'b', times: 2 },
      { a: 'c', b: 'd', times: 1 },
    ]);
  });

  it('finds nothing in agreeing rankings, in one ranking or in none', () => {
    expect(
      flippedPairs([
        ['a', 'b', 'c'],
        ['a', 'b', 'c'],
      ]),
    ).toEqual([]);
    expect(flippedPairs([['a', 'b', 'c']])).toEqual([]);
    expect(flippedPairs([])).toEqual([]);
  });

  it('refuses rankings of different items and repeated items', () => {
    expect(
      errorOf(() =>
        flippedPairs([
          ['a', 'b'],
          ['a', 'b'],
          ['a', 'c'],
        ]),
      ).message,
    ).toMatch(/ranking 0 and ranking 2/);
    expect(errorOf(() => flippedPairs([['a', 'b', 'b']])).code).toBe('LPCV_E_FORMULA_INPUT');
  });
});
