/**
 * The contract every registered score formula must keep; runs each entry of the registry.
 */
import { describe, expect, it } from 'vitest';
import { computeScore, getFormula, listFormulas } from './registry.js';
import { measures } from './test-measures.js';
import type { ParamValue } from './types.js';

// Measures a formula may ask for, named as the harness names them.
const rich = () =>
  measures({ top1: 0.7, top5: 0.9, map: 0.3, map50: 0.5, miou: 0.4, mdice: 0.55, f1: 0.6, recall10: 0.8 }, 25, 12.5);

describe.each(listFormulas().map((f) => [`${f.name} v${f.version}`, f] as const))('%s', (_id, f) => {
  it('describes itself', () => {
    expect(f.name).toMatch(/^[a-z0-9][a-z0-9-]*$/);
    expect(Number.isInteger(f.version) && f.version >= 1).toBe(true);
    for (const text of [f.title, f.description, f.source]) expect(text.trim().length).toBeGreaterThan(10);
    for (const [key, spec] of Object.entries(f.params)) {
      expect(key).toMatch(/^[a-zA-Z][a-zA-Z0-9]*$/);
      expect(spec.description.trim().length).toBeGreaterThan(5);
    }
    expect(getFormula(f.name, f.version)).toBe(f);
    expect(Object.isFrozen(f)).toBe(true);
  });

  it('computes a finite score, labelled with its name and version, from full measures and default params', () => {
    const params: Record<string, ParamValue> = {};
    for (const [key, spec] of Object.entries(f.params)) if (spec.default === undefined) params[key] = 1;
    const r = computeScore(f.name, f.version, rich(), params);
    expect(r.formula).toBe(f.name);
    expect(r.version).toBe(f.version);
    if (r.value === null) {
      expect(r.qualified).toBe(false);
      expect(r.reason).toBeTruthy();
    } else {
      expect(Number.isFinite(r.value)).toBe(true);
    }
  });

  it('gives a null value with a reason, never NaN, when latency and energy are missing', () => {
    const params: Record<string, ParamValue> = {};
    for (const [key, spec] of Object.entries(f.params)) if (spec.default === undefined) params[key] = 1;
    const m = { ...rich(), latency: null, energyJoules: null };
    let r;
    try {
      r = computeScore(f.name, f.version, m, params);
    } catch (e) {
      expect((e as { code?: string }).code).toBe('LPCV_E_FORMULA_INPUT');
      return;
    }
    if (r.value === null) expect(r.reason).toBeTruthy();
    else expect(Number.isFinite(r.value)).toBe(true);
  });
});
