import { describe, expect, it } from 'vitest';
import { errorOf } from '../../test/testing/lpcv-errors.js';
import { computeScore } from './registry.js';
import { flatLatency, run } from './testing/measures.js';

describe('lpcv2025 v1: qualify by a latency cut-off, score = accuracy', () => {
  it('scores the accuracy and qualifies at or under the cut-off', () => {
    expect(computeScore('lpcv2025', 1, run({ top1: 0.8 }, { latencyMs: 9 }), { cutoffMs: 10 })).toMatchObject({ value: 0.8, qualified: true });
    expect(computeScore('lpcv2025', 1, run({ top1: 0.8 }, { latencyMs: 10 }), { cutoffMs: 10 }).qualified).toBe(true);
    const over = computeScore('lpcv2025', 1, run({ top1: 0.8 }, { latencyMs: 10.01 }), { cutoffMs: 10 });
    expect(over).toMatchObject({ value: 0.8, qualified: false });
    expect(over.reason).toMatch(/mean latency 10.01 ms is over the 10 ms cut-off/);
  });

  it('compares the chosen statistic', () => {
    const m = { ...run({ miou: 0.5 }), latency: { ...flatLatency(8), p99: 12 } };
    expect(computeScore('lpcv2025', 1, m, { accuracy: 'miou', cutoffMs: 10 }).qualified).toBe(true);
    const p99 = computeScore('lpcv2025', 1, m, { accuracy: 'miou', cutoffMs: 10, latencyStat: 'p99' });
    expect(p99.qualified).toBe(false);
    expect(p99.inputs?.latency_p99).toEqual({ value: 12, unit: 'ms' });
  });

  it('needs a cut-off, gives no score without a latency', () => {
    expect(errorOf(() => computeScore('lpcv2025', 1, run({ top1: 0.8 }, { latencyMs: 1 }))).message).toMatch(/needs parameter 'cutoffMs'/);
    expect(errorOf(() => computeScore('lpcv2025', 1, run({ top1: 0.8 }, { latencyMs: 1 }), { cutoffMs: '10' })).message).toMatch(/finite number/);
    expect(computeScore('lpcv2025', 1, run({ top1: 0.8 }), { cutoffMs: 10 })).toMatchObject({ value: null, missing: ['latency'] });
  });
});
