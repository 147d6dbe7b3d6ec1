import { describe, expect, it } from 'vitest';
import { acrossTrials, relativeLatency } from './trial-summary.js';
import { mulberry32 } from './mulberry32.js';
import { errorOf } from '../test/testing/lpcv-errors.js';

describe('acrossTrials', () => {
  it('gives the median and the range, with coverage 1 - 2^(1-T), for 5 trials', () => {
    // sorted 0.31 0.33 0.35 0.40 0.44: median 0.35 (3rd); T = 5 < 6, so [min, max] covering 1 - 2/32 = 0.9375.
    expect(acrossTrials([0.4, 0.31, 0.35, 0.44, 0.33])).toEqual({ value: 0.35, ci95: [0.31, 0.44], coverage: 0.9375, count: 5 });
  });

  it('averages the two middle figures for an even count', () => {
    // sorted 1 2 3 4: median (2 + 3) / 2 = 2.5; T = 4: [1, 4], coverage 1 - 2/16 = 0.875.
    expect(acrossTrials([4, 1, 3, 2])).toEqual({ value: 2.5, ci95: [1, 4], coverage: 0.875, count: 4 });
  });

  it('states the coverage of 3 and 7 trials', () => {
    // 3 trials: 1 - 2/8 = 0.75. 7 trials: P(B = 0) = 1/128 <= 0.025 but P(B <= 1) = 8/128 > 0.025, so the range,
    // covering 1 - 2/128 = 0.984375.
    expect(acrossTrials([3, 1, 2])).toEqual({ value: 2, ci95: [1, 3], coverage: 0.75, count: 3 });
    expect(acrossTrials([7, 6, 5, 4, 3, 2, 1])).toEqual({ value: 4, ci95: [1, 7], coverage: 0.984375, count: 7 });
  });

  it('drops the extreme trial on each side from 10 trials', () => {
    // T = 10: P(B <= 1) = 11/1024 <= 0.025, P(B <= 2) = 56/1024 > 0.025 -> ranks 2 and 9, coverage 1 - 22/1024.
    // sorted 10 11 ... 19 plus an outlier 90 in place of 19: median (14 + 15) / 2 = 14.5, interval [11, 18].
    const r = acrossTrials([90, 14, 11, 17, 10, 12, 16, 13, 18, 15]);
    expect(r).toEqual({ value: 14.5, ci95: [11, 18], coverage: 1 - 22 / 1024, count: 10 });
  });

  it('gives a zero-width interval with coverage 0 for one trial', () => {
    expect(acrossTrials([2.5])).toEqual({ value: 2.5, ci95: [2.5, 2.5], coverage: 0, count: 1 });
  });

  it('accepts negative figures (it summarises any per-trial figure) and leaves its input alone', () => {
    const input = [-1, -3, -2];
    expect(acrossTrials(input).value).toBe(-2);
    expect(input).toEqual([-1, -3, -2]);
  });

  it('covers the population median about as often as it says (Monte Carlo, 5 trials)', () => {
    // Independent check of the coverage claim: trial figures drawn from a skewed two-mode mixture (60% around 1.0,
    // 40% around 1.5, log-normal-ish spread), whose population median is found from a large sample. 20,000
    // repetitions give a standard error of sqrt(0.9375 * 0.0625 / 20000) = 0.0017 on the covered fraction.
    const rng = mulberry32(12345);
    const draw = (): number => {
      const base = rng() < 0.6 ? 1.0 : 1.5;
      return base * Math.exp(0.05 * (rng() + rng() + rng() - 1.5));
    };
    const big = Array.from({ length: 200_001 }, draw).sort((x, y) => x - y);
    const median = big[100_000];
    let covered = 0;
    const reps = 20_000;
    for (let r = 0; r < reps; r++) {
      const { ci95 } = acrossTrials([draw(), draw(), draw(), draw(), draw()]);
      if (ci95[0] <= median && median <= ci95[1]) covered++;
    }
    expect(Math.abs(covered / reps - 0.9375)).toBeLessThan(0.01);
  });

  it('refuses an empty list and non-finite figures', () => {
    expect(errorOf(() => acrossTrials([])).code).toBe('LPCV_E_FORMULA_INPUT');
    expect(errorOf(() => acrossTrials([1, Number.NaN])).code).toBe('LPCV_E_FORMULA_INPUT');
    expect(errorOf(() => acrossTrials([Number.POSITIVE_INFINITY])).code).toBe('LPCV_E_FORMULA_INPUT');
    expect(errorOf(() => acrossTrials(['1' as unknown as number])).code).toBe('LPCV_E_FORMULA_INPUT');
  });
});

describe('relativeLatency', () => {
  it('divides the per-trial medians and summarises the ratios', () => {
    // trial 0: submission sorted 2 3 4 -> p50 3; reference sorted 5 6 6 7 -> numpy linear p50 (6 + 6) / 2 = 6;
    //          ratio 0.5.
    // trial 1: submission sorted 1 2 3 10 -> p50 = 2 + 0.5 * (3 - 2) = 2.5; reference 4 -> 4; ratio 0.625.
    // trial 2: submission 9 -> 9; reference sorted 10 20 -> 15; ratio 0.6.
    // ratios 0.5 0.625 0.6: median 0.6, [0.5, 0.625], coverage 0.75 (3 trials).
    const r = relativeLatency([
      { submissionMs: [4, 2, 3], referenceMs: [6, 5, 7, 6] },
      { submissionMs: [10, 1, 3, 2], referenceMs: [4] },
      { submissionMs: [9], referenceMs: [20, 10] },
    ]);
    expect(r.perTrial).toEqual([0.5, 0.625, 0.6]);
    expect(r).toMatchObject({ value: 0.6, ci95: [0.5, 0.625], coverage: 0.75, count: 3 });
  });

  it('cancels a speed mode shared by both models within a trial', () => {
    // Trial 1 runs everything 1.5x slower; the ratio 0.8 is the same in both trials.
    const r = relativeLatency([
      { submissionMs: [0.8, 0.8, 0.8], referenceMs: [1, 1, 1] },
      { submissionMs: [1.2, 1.2, 1.2], referenceMs: [1.5, 1.5, 1.5] },
    ]);
    expect(r.perTrial[0]).toBeCloseTo(0.8, 15);
    expect(r.perTrial[1]).toBeCloseTo(0.8, 15);
    expect(r.value).toBeCloseTo(0.8, 15);
  });

  it('refuses no trials, empty or bad samples, and a zero reference median', () => {
    expect(errorOf(() => relativeLatency([])).code).toBe('LPCV_E_FORMULA_INPUT');
    expect(errorOf(() => relativeLatency([{ submissionMs: [], referenceMs: [1] }])).message).toMatch(/trial 0's submission/);
    expect(errorOf(() => relativeLatency([{ submissionMs: [1], referenceMs: [1, -2] }])).message).toMatch(/trial 0's reference/);
    const zero = errorOf(() => relativeLatency([{ submissionMs: [1], referenceMs: [0, 0, 1] }]));
    expect(zero.code).toBe('LPCV_E_FORMULA_INPUT');
    expect(zero.message).toMatch(/reference median is 0/);
  });
});
