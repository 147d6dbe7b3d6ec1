import { describe, expect, it } from 'vitest';
import { computeScore, getFormula, listFormulas, resolveParams } from '../../scoring/formulas/registry.js';
import { distinctLatency } from '../../scoring/formulas/testing/measures.js';
import type { Formula, Measures, ParamValue } from '../../scoring/formulas/types.js';
import { scoreInterval } from './score-interval.js';

const accuracy = { accuracy: 0.65, top1: 0.9, top5: 0.99, map: 0.3, map50: 0.5, iou: 0.66, miou: 0.4, mdice: 0.55, f1: 0.6, recall10: 0.8 };

describe('scoreInterval', () => {
  it("is the formula at the two ends of its statistic's interval (accuracy-per-time, hand-computed)", () => {
    // top1 0.9 over a mean of 30 ms whose between-trial interval is [25, 40] ms: 0.9 / 0.040 s = 22.5, 0.9 / 0.025 s = 36.
    const m = distinctLatency({ top1: 0.9 });
    const statistic = { name: 'mean' as const, value: 30, ci95: [25, 40] as [number, number], coverage: 0.9375 };
    expect(computeScore('accuracy-per-time', 1, m, { accuracy: 'top1' }).value).toBeCloseTo(30, 12);
    const ci = scoreInterval('accuracy-per-time', 1, m, { accuracy: 'top1' }, statistic)!;
    expect(ci[0]).toBeCloseTo(22.5, 12);
    expect(ci[1]).toBeCloseTo(36, 12);
    // The calibrated latency (12.5 ms here) is replaced the same way: 0.9 / [0.010, 0.016] s.
    const calibrated = scoreInterval(
      'accuracy-per-time',
      1,
      m,
      { accuracy: 'top1', latency: 'calibrated' },
      {
        name: 'calibrated',
        value: 12.5,
        ci95: [10, 16],
        coverage: 0.9375,
      },
    )!;
    expect(calibrated[0]).toBeCloseTo(56.25, 12);
    expect(calibrated[1]).toBeCloseTo(90, 12);
  });

  it('is null where the statistic has no interval, or an end gives no score', () => {
    const m = distinctLatency({ top1: 0.9 });
    expect(scoreInterval('accuracy-per-time', 1, m, { accuracy: 'top1' }, null)).toBeNull();
    expect(scoreInterval('accuracy-per-time', 1, m, { accuracy: 'top1' }, { name: 'p90EarlyStopping', value: 45, ci95: null, coverage: null })).toBeNull();
    // An interval that reaches 0 ms has no score at that end.
    expect(scoreInterval('accuracy-per-time', 1, m, { accuracy: 'top1' }, { name: 'mean', value: 30, ci95: [0, 40], coverage: 0.9 })).toBeNull();
  });
});

/** Parameters without a default get their declared example (else 1), as in the formula contract. */
function requiredParams(f: Formula): Record<string, ParamValue> {
  const params: Record<string, ParamValue> = {};
  for (const [key, spec] of Object.entries(f.params)) if (spec.default === undefined) params[key] = spec.example ?? 1;
  return params;
}

// The interval's premise: every catalog formula's score moves one way with the latency statistic it reads, so the
// two ends of the statistic's interval bound the score.
describe.each(listFormulas().map((f) => [`${f.name} v${f.version}`, f] as const))('%s: the ends of the latency interval bound the score', (_id, f) => {
  it('holds from a tenth to ten times the measured statistic', () => {
    const params = requiredParams(f);
    const statistic = f.latencyStatistic(resolveParams(getFormula(f.name, f.version), params));
    if (statistic === null) return; // reads no latency (energy or throughput only): no interval
    const base: Measures = {
      ...distinctLatency(accuracy, { energyJoules: 20 }),
      durationSeconds: 2.5,
      images: 100,
      energyWindowSeconds: 2.5,
      idle: { watts: 1, source: 'measured' },
    };
    const value =
      statistic === 'calibrated' ? base.calibratedLatencyMs! : statistic === 'p90EarlyStopping' ? base.latency!.p90EarlyStopping! : base.latency![statistic];
    const score = computeScore(f.name, f.version, base, params).value;
    let bounded = 0;
    for (const [lo, hi] of [
      [0.1, 1.5],
      [0.9, 1.1],
      [0.5, 10],
    ] as const) {
      const ci = scoreInterval(f.name, f.version, base, params, { name: statistic, value, ci95: [lo * value, hi * value], coverage: 0.95 });
      if (ci === null || score === null) continue; // no score at an end (checked above for accuracy-per-time)
      expect(ci[0]).toBeLessThanOrEqual(score * (1 + 1e-12));
      expect(ci[1]).toBeGreaterThanOrEqual(score * (1 - 1e-12));
      bounded++;
    }
    // The check ran: at least one interval had a score at both ends.
    expect(bounded).toBeGreaterThan(0);
  });
});
