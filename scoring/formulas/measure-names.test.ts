import { describe, expect, it } from 'vitest';
import { errorOf } from '../../test/testing/lpcv-errors.js';
import { measuresFromGiven, parseAssignments } from './measure-names.js';
import { computeScore } from './registry.js';

describe('measures from name=value assignments', () => {
  it('converts each to the unit Measures keeps (J, ms latency, s, fraction)', () => {
    const m = measuresFromGiven(
      parseAssignments(['map=0.3', 'energy=1.37Wh', 'latency=6.8ms', 'latency_p99=9ms', 'duration=495s', 'images=600', 'fps=20', 'idle=1961mW', 'top1=75%']),
    );
    expect(m.accuracy).toEqual({ map: 0.3, top1: 0.75 });
    expect(m.energyJoules).toBeCloseTo(4932, 9);
    expect(m.latency?.mean).toBe(6.8); // ms to ms without a detour through seconds
    expect(m.latency?.p99).toBeCloseTo(9, 12);
    expect(m.latency?.p50).toBeNaN(); // not given: the formulas see it as not measured
    expect(m).toMatchObject({ durationSeconds: 495, images: 600, fps: 20 });
    expect(m.idle?.watts).toBeCloseTo(1.961, 12);
    expect(m.idle?.source).toBe('measured');
  });

  it('treats a latency statistic that was not given as missing', () => {
    const m = measuresFromGiven(parseAssignments(['top1=0.8', 'latency_p99=9ms']));
    expect(computeScore('lpcv2025', 1, m, { cutoffMs: 10 })).toMatchObject({ value: null, missing: ['latency'] });
    expect(computeScore('lpcv2025', 1, m, { cutoffMs: 10, latencyStat: 'p99' })).toMatchObject({ value: 0.8, qualified: true });
  });

  it("takes LoadGen's early-stopping p90 and the calibrated latency, and leaves them out when not given", () => {
    const m = measuresFromGiven(parseAssignments(['top1=0.9', 'latency_p90_early_stopping=45ms', 'latency_calibrated=0.0125s']));
    expect(m.latency?.p90EarlyStopping).toBe(45);
    expect(m.latency?.mean).toBeNaN();
    expect(m.calibratedLatencyMs).toBeCloseTo(12.5, 12);
    expect(computeScore('accuracy-per-time', 1, m, { latency: 'calibrated' }).value).toBeCloseTo(72, 12);
    const plain = measuresFromGiven(parseAssignments(['top1=0.9', 'latency=30ms']));
    expect(plain.latency?.p90EarlyStopping).toBeUndefined();
    expect(plain.calibratedLatencyMs).toBeNull();
    expect(computeScore('accuracy-per-time', 1, plain, { latency: 'calibrated' })).toMatchObject({ value: null, missing: ['latency_calibrated'] });
  });

  it('refuses an unknown name, a name given twice, or a text without =', () => {
    expect(errorOf(() => parseAssignments(['enrgy=5J'])).code).toBe('LPCV_E_MEASURE_UNKNOWN');
    expect(errorOf(() => parseAssignments(['enrgy=5J'])).message).toMatch(/known: accuracy, top1/);
    expect(errorOf(() => parseAssignments(['latency=5ms', 'latency_mean=6ms'])).message).toMatch(/given twice/);
    expect(errorOf(() => parseAssignments(['energy'])).code).toBe('LPCV_E_MEASURE_VALUE');
    expect(errorOf(() => parseAssignments(['=5J'])).code).toBe('LPCV_E_MEASURE_VALUE');
    expect(errorOf(() => parseAssignments(['energy=5ms'])).code).toBe('LPCV_E_MEASURE_UNIT');
  });
});
