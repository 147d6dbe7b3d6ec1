import { describe, expect, it } from 'vitest';
import { getFormula } from '../../scoring/formulas/registry.js';
import { describeFormula } from './formulas.js';

describe('the catalog as lpcv formulas --json shows it', () => {
  it('gives each parameter its type, and a default or required', () => {
    const d = describeFormula(getFormula('lpcv2025', 1)) as { params: Record<string, Record<string, unknown>>; inputs: unknown[] };
    expect(d.params.cutoffMs).toEqual({ description: expect.any(String), type: 'number', required: true, example: 30 });
    expect(d.params.latencyStat).toMatchObject({
      type: 'string',
      default: 'mean',
      choices: ['mean', 'p50', 'p90', 'p95', 'p99', 'min', 'max', 'p90EarlyStopping', 'calibrated'],
    });
    expect(d.inputs.length).toBeGreaterThan(0);
  });

  it('shows no inputs (null) for the formula that predates the catalog', () => {
    const d = describeFormula(getFormula('accuracy-per-time', 1));
    expect(d.inputs).toBeNull();
    expect(d.params).toEqual({
      accuracy: { description: expect.any(String), type: 'string', default: 'top1' },
      latency: { description: expect.any(String), type: 'string', default: 'mean', choices: ['mean', 'p50', 'p90', 'p90EarlyStopping', 'calibrated'] },
    });
  });
});
