/** Which statistic of the latency each formula of the catalog reads (docs/formulas.md, "Which latency statistic"). */
import { describe, expect, it } from 'vitest';
import { computeScore, getFormula, listFormulas, resolveParams } from './registry.js';
import { distinctLatency, run } from './testing/measures.js';
import type { ParamValue } from './types.js';

const declared = (name: string, params: Record<string, ParamValue> = {}): string | null => {
  const f = getFormula(name, 1);
  return f.latencyStatistic(resolveParams(f, params));
};

describe('the latency statistic each formula reads', () => {
  it('is declared by every formula, as docs/formulas.md lists it', () => {
    expect(
      Object.fromEntries(
        listFormulas().map((f) => [
          f.name,
          declared(f.name, f.name === 'lpcv2025' ? { cutoffMs: 30 } : f.name === 'expression' ? { expr: 'relu(map - 0.2) * fps / energy_j' } : {}),
        ]),
      ),
    ).toEqual({
      'accuracy-per-time': 'mean',
      'dac-sdc-2022': 'mean',
      expression: 'mean',
      'lpcv2020-fpga': null,
      'lpcv2020-video': null,
      'lpcv2021-fpga': 'mean',
      'lpcv2021-video': null,
      'lpcv2023-seg': null,
      lpcv2025: 'mean',
      lpirc: null,
      ovic: 'mean',
    });
  });

  it('follows the parameters that choose it', () => {
    expect(declared('accuracy-per-time', { latency: 'calibrated' })).toBe('calibrated');
    expect(declared('lpcv2025', { cutoffMs: 30, latencyStat: 'p90EarlyStopping' })).toBe('p90EarlyStopping');
    expect(declared('lpcv2020-fpga', { time: 'latency' })).toBe('mean');
    expect(declared('lpcv2023-seg', { time: 'auto' })).toBe('mean');
    // an expression: the first statistic it names
    expect(declared('expression', { expr: 'top1 / latency_p90 + 0 * latency_mean' })).toBe('p90');
    expect(declared('expression', { expr: 'top1 / latency_s' })).toBe('mean');
    expect(declared('expression', { expr: 'top1 / latency_calibrated' })).toBe('calibrated');
    expect(declared('expression', { expr: 'map50 / energy_wh' })).toBeNull();
  });

  it('is read from the wall clock instead where the run has one: a throughput formula then reads no latency', () => {
    const batch = run({ map: 0.35 }, { latencyMs: 20, energyJoules: 2000, durationSeconds: 1014.4, images: 20288 });
    expect(computeScore('lpcv2021-fpga', 1, batch).statistic).toBeUndefined();
    expect(computeScore('lpcv2021-fpga', 1, { ...batch, durationSeconds: null, images: null }).statistic).toBe('mean');
    expect(computeScore('lpcv2020-fpga', 1, { ...batch, accuracy: { top1: 0.75 } }, { time: 'auto' }).statistic).toBeUndefined();
  });

  it("lets lpcv2025's cut-off apply to LoadGen's estimate or the calibrated latency, with no score when the run lacks it", () => {
    // p90EarlyStopping 45 ms, calibrated 12.5 ms
    const m = distinctLatency({ top1: 0.8 });
    expect(computeScore('lpcv2025', 1, m, { cutoffMs: 44, latencyStat: 'p90EarlyStopping' })).toMatchObject({
      value: 0.8,
      qualified: false,
      statistic: 'p90EarlyStopping',
      reason: 'p90EarlyStopping latency 45 ms is over the 44 ms cut-off',
    });
    expect(computeScore('lpcv2025', 1, m, { cutoffMs: 12.5, latencyStat: 'calibrated' })).toMatchObject({
      value: 0.8,
      qualified: true,
      statistic: 'calibrated',
    });
    const none = computeScore('lpcv2025', 1, distinctLatency({ top1: 0.8 }, { earlyStopping: null }), { cutoffMs: 50, latencyStat: 'p90EarlyStopping' });
    expect(none).toMatchObject({ value: null, qualified: false, missing: ['latency_p90_early_stopping'] });
    expect(none.reason).toMatch(/too few timed runs/);
  });

  it('gives an expression names for the early-stopping p90 and the calibrated latency (ms), and names the first statistic read', () => {
    const m = distinctLatency({ top1: 0.9 });
    // 0.9 / (45 ms / 1000) = 20; 0.9 / (12.5 / 1000) = 72
    const es = computeScore('expression', 1, m, { expr: 'top1 / (latency_p90_early_stopping / 1000)' });
    expect(es.value).toBeCloseTo(20, 12);
    expect(es).toMatchObject({ statistic: 'p90EarlyStopping', inputs: { latency_p90_early_stopping: { value: 45, unit: 'ms' } } });
    expect(computeScore('expression', 1, m, { expr: 'top1 / (latency_calibrated / 1000)' }).value).toBeCloseTo(72, 12);
    expect(computeScore('expression', 1, m, { expr: 'latency_p50 / latency_mean' })).toMatchObject({ statistic: 'p50' });
    const missing = computeScore('expression', 1, distinctLatency({ top1: 0.9 }, { calibratedMs: null }), { expr: 'top1 / latency_calibrated' });
    expect(missing).toMatchObject({ value: null, qualified: false, missing: ['latency_calibrated'] });
    expect(computeScore('expression', 1, { ...m, energyJoules: 3 }, { expr: 'top1 / energy_j' }).statistic).toBeUndefined();
  });
});
