import { describe, expect, it } from 'vitest';
import { f1FromCounts, macroF1 } from './f1.js';
import { errorOf } from '../test/testing/lpcv-errors.js';

describe('f1FromCounts', () => {
  it('is 2TP / (2TP + FP + FN)', () => {
    // P = 6/8, R = 6/10; harmonic mean 2PR/(P+R) = 2*.75*.6/1.35 = 0.9/1.35 = 2/3 = 12/18.
    expect(f1FromCounts({ tp: 6, fp: 2, fn: 4 })).toBeCloseTo(2 / 3, 15);
    expect(f1FromCounts({ tp: 5, fp: 0, fn: 0 })).toBe(1);
  });

  it('is 0 when TP is 0, including 0/0', () => {
    expect(f1FromCounts({ tp: 0, fp: 3, fn: 1 })).toBe(0);
    expect(f1FromCounts({ tp: 0, fp: 0, fn: 0 })).toBe(0);
  });

  it('rejects negative or non-finite counts', () => {
    expect(errorOf(() => f1FromCounts({ tp: -1, fp: 0, fn: 0 })).code).toBe('LPCV_E_FORMULA_INPUT');
    expect(errorOf(() => f1FromCounts({ tp: 1, fp: NaN, fn: 0 })).code).toBe('LPCV_E_FORMULA_INPUT');
  });
});

describe('macroF1', () => {
  it('averages per-class F1 over the classes that occur, by hand', () => {
    // labels    0 0 0 1 1 2
    // predicted 0 0 1 1 2 2     (class 3 never occurs; class 4 only predicted: see next test)
    // class 0: TP 2, FP 0, FN 1 -> P 1,   R 2/3, F1 4/5
    // class 1: TP 1, FP 1, FN 1 -> P 1/2, R 1/2, F1 2/4 = 1/2
    // class 2: TP 1, FP 1, FN 0 -> P 1/2, R 1,   F1 2/3
    // macro = (4/5 + 1/2 + 2/3) / 3 = (24 + 15 + 20) / 90 = 59/90
    const r = macroF1([0, 0, 1, 1, 2, 2], [0, 0, 0, 1, 1, 2], 4);
    expect(r.macroF1).toBeCloseTo(59 / 90, 15);
    expect(r.perClass[0]).toEqual({ classIndex: 0, precision: 1, recall: 2 / 3, f1: 4 / 5 });
    expect(r.perClass[1]).toEqual({ classIndex: 1, precision: 1 / 2, recall: 1 / 2, f1: 1 / 2 });
    expect(r.perClass[2].f1).toBeCloseTo(2 / 3, 15);
    expect(r.perClass[3]).toEqual({ classIndex: 3, precision: null, recall: null, f1: null });
  });

  it('counts a class predicted but never labelled as F1 0', () => {
    // labels 0 0, predicted 0 1: class 0 TP 1 FN 1 -> F1 2/3; class 1 FP 1 -> F1 0; macro = 1/3.
    const r = macroF1([0, 1], [0, 0], 2);
    expect(r.macroF1).toBeCloseTo(1 / 3, 15);
    expect(r.perClass[1]).toEqual({ classIndex: 1, precision: 0, recall: null, f1: 0 });
  });

  it('rejects mismatched lengths, empty input and out-of-range classes', () => {
    expect(errorOf(() => macroF1([0], [0, 1], 2)).code).toBe('LPCV_E_PRED_MISMATCH');
    expect(errorOf(() => macroF1([], [], 2)).code).toBe('LPCV_E_PRED_MISMATCH');
    expect(errorOf(() => macroF1([2], [0], 2)).code).toBe('LPCV_E_PRED_MISMATCH');
    expect(errorOf(() => macroF1([0], [2], 2)).code).toBe('LPCV_E_GT_MALFORMED');
  });
});
