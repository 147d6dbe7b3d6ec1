import { describe, expect, it } from 'vitest';
import { classificationReport, topKAccuracy, topKFromScores } from './classification.js';
import { errorOf } from '../test/testing/lpcv-errors.js';

describe('topKAccuracy', () => {
  const topk = [
    [3, 1, 2, 0, 4], // label 3: top-1 hit
    [0, 2, 1, 3, 4], // label 1: hit at rank 3
    [4, 3, 2, 1, 0], // label 0: hit at rank 5
    [1, 2, 3, 4, 5], // label 9: never
  ];
  const labels = [3, 1, 0, 9];

  it('counts a hit when the label is within the first k', () => {
    expect(topKAccuracy(topk, labels, 1)).toBe(1 / 4);
    expect(topKAccuracy(topk, labels, 2)).toBe(1 / 4);
    expect(topKAccuracy(topk, labels, 3)).toBe(2 / 4);
    expect(topKAccuracy(topk, labels, 5)).toBe(3 / 4);
    expect(topKAccuracy(topk, labels, 10)).toBe(3 / 4);
  });

  it('judges a short prediction on the classes it lists, an empty one as wrong', () => {
    // sample 0 lists only 2 classes, the label is the 2nd: a top-5 hit; sample 1 lists nothing.
    expect(topKAccuracy([[7, 2], []], [2, 0], 5)).toBe(1 / 2);
    expect(topKAccuracy([[7, 2], []], [2, 0], 1)).toBe(0);
  });

  it('rejects mismatched lengths, empty input and a bad k', () => {
    expect(errorOf(() => topKAccuracy([[1]], [1, 2], 1)).code).toBe('LPCV_E_PRED_MISMATCH');
    expect(errorOf(() => topKAccuracy([], [], 1)).code).toBe('LPCV_E_PRED_MISMATCH');
    expect(errorOf(() => topKAccuracy([[1]], [1], 0)).code).toBe('LPCV_E_FORMULA_INPUT');
    expect(errorOf(() => topKAccuracy([[1]], [1], 1.5)).code).toBe('LPCV_E_FORMULA_INPUT');
  });
});

describe('topKFromScores', () => {
  it('returns the indices of the largest scores, best first', () => {
    expect(topKFromScores([0.1, 0.7, 0.05, 0.9, 0.15], 3)).toEqual([3, 1, 4]);
    expect(topKFromScores(new Float32Array([2, -1, 5]), 1)).toEqual([2]);
  });

  it('breaks ties by the lower index', () => {
    expect(topKFromScores([1, 3, 3, 2, 3], 2)).toEqual([1, 2]);
    expect(topKFromScores([1, 3, 3, 2, 3], 4)).toEqual([1, 2, 4, 3]);
    expect(topKFromScores([0, 0, 0, 0], 3)).toEqual([0, 1, 2]);
  });

  it('returns every index when k exceeds the number of scores', () => {
    expect(topKFromScores([0.2, 0.5, 0.3], 5)).toEqual([1, 2, 0]);
  });

  it('agrees with a full stable sort for a large k (sorted path) and a small k (buffer path)', () => {
    // Scores with many ties: i mod 7. Descending by value, ties by index: all 6s (6, 13, 20, ...) first.
    const scores = Array.from({ length: 100 }, (_, i) => i % 7);
    const expected: number[] = [];
    for (let v = 6; v >= 0; v--) for (let i = v; i < 100; i += 7) expected.push(i);
    expect(topKFromScores(scores, 100)).toEqual(expected);
    expect(topKFromScores(scores, 40)).toEqual(expected.slice(0, 40));
    expect(topKFromScores(scores, 5)).toEqual([6, 13, 20, 27, 34]);
  });

  it('orders infinities and rejects NaN', () => {
    expect(topKFromScores([-Infinity, 0, Infinity], 3)).toEqual([2, 1, 0]);
    expect(errorOf(() => topKFromScores([0, NaN], 1)).code).toBe('LPCV_E_MODEL_OUTPUT_NAN');
    expect(errorOf(() => topKFromScores([0, 1], 0)).code).toBe('LPCV_E_FORMULA_INPUT');
  });
});

describe('classificationReport', () => {
  it('reports top-1, top-5 and per-class top-1 with null for absent classes', () => {
    const topk = [
      [0, 1, 2, 3, 4], // label 0: top-1 hit
      [1, 0, 2, 3, 4], // label 0: top-5 hit only
      [2, 1, 0, 3, 4], // label 2: top-1 hit
      [3, 2, 1, 0, 4], // label 1: top-5 hit only
      [0, 2, 3, 4, 5], // label 1: miss
    ];
    const labels = [0, 0, 2, 1, 1];
    const r = classificationReport(topk, labels, 4);
    expect(r.top1).toBe(2 / 5);
    expect(r.top5).toBe(4 / 5);
    expect(r.perClass).toEqual([
      { classIndex: 0, count: 2, top1: 1 / 2 },
      { classIndex: 1, count: 2, top1: 0 },
      { classIndex: 2, count: 1, top1: 1 },
      { classIndex: 3, count: 0, top1: null },
    ]);
  });

  it('rejects labels outside [0, numClasses)', () => {
    expect(errorOf(() => classificationReport([[0]], [4], 4)).code).toBe('LPCV_E_GT_MALFORMED');
    expect(errorOf(() => classificationReport([[0]], [-1], 4)).code).toBe('LPCV_E_GT_MALFORMED');
    expect(errorOf(() => classificationReport([[0]], [0], 0)).code).toBe('LPCV_E_FORMULA_INPUT');
  });
});
