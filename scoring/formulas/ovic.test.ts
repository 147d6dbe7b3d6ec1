import { describe, expect, it } from 'vitest';
import { errorOf } from '../../test/testing/lpcv-errors.js';
import { computeScore } from './registry.js';
import { run } from './testing/measures.js';

describe('ovic v1: latency budget and improvement over a(t) = k ln(t) + a0', () => {
  it("scores accuracy in percent minus the frontier at the entry's latency (2020 detection defaults)", () => {
    // a(30) = 16.894553358968146 x ln 30 - 34.42191514521174 = 16.894553... x 3.4011973816621555 - 34.4219...
    //       = 57.46171064887403 - 34.42191514521174 = 23.03979550366229 (% mAP)
    // mAP 25% at 30 ms: 25 - 23.0398 = 1.9602044963377097 points above the frontier, on budget (30 ms): qualifies
    const r = computeScore('ovic', 1, run({ map: 0.25 }, { latencyMs: 30 }));
    expect(r.value).toBeCloseTo(1.9602044963377097, 10);
    expect(r.qualified).toBe(true);
    expect(r.inputs?.frontier_pct?.value).toBeCloseTo(23.03979550366229, 10);
    expect(r.inputs?.accuracy_pct).toEqual({ value: 25, unit: '%' });
    // at 10 ms: a(10) = 16.8945... x 2.302585092994046 - 34.4219... = 4.479231571940801; 25 - 4.4792 = 20.5207684280592
    expect(computeScore('ovic', 1, run({ map: 0.25 }, { latencyMs: 10 })).value).toBeCloseTo(20.5207684280592, 10);
  });

  it('does not qualify an entry over the budget, and reads budget, k and a0 from parameters', () => {
    const over = computeScore('ovic', 1, run({ map: 0.25 }, { latencyMs: 30.5 }));
    expect(over.qualified).toBe(false);
    expect(over.reason).toMatch(/30.5 ms is over the 30 ms budget/);
    expect(Number.isFinite(over.value)).toBe(true);
    // classification on a 10 ms budget with a made-up straight frontier k = 0, a0 = 70: 72% top-1 -> +2 points
    const cls = computeScore('ovic', 1, run({ top1: 0.72 }, { latencyMs: 9 }), { accuracy: 'top1', budgetMs: 10, k: 0, a0: 70 });
    expect(cls.value).toBeCloseTo(2, 12);
    expect(cls.qualified).toBe(true);
    // rank=accuracy: the accuracy itself, as a fraction
    expect(computeScore('ovic', 1, run({ map: 0.25 }, { latencyMs: 30 }), { rank: 'accuracy' }).value).toBe(0.25);
  });

  it('gives no score without a latency or at 0 ms (ln 0), and refuses a budget <= 0', () => {
    expect(computeScore('ovic', 1, run({ map: 0.25 })).missing).toEqual(['latency']);
    expect(computeScore('ovic', 1, run({ map: 0.25 }, { latencyMs: 0 })).reason).toMatch(/ln\(0\)/);
    expect(errorOf(() => computeScore('ovic', 1, run({ map: 0.25 }, { latencyMs: 1 }), { budgetMs: 0 })).detail).toMatchObject({ param: 'budgetMs' });
  });
});
