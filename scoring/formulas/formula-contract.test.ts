/**
 * The contract every registered score formula must keep; runs each entry of the registry.
 */
import { describe, expect, it } from 'vitest';
import { LATENCY_STATISTICS } from './measure-names.js';
import { computeScore, getFormula, listFormulas, resolveParams } from './registry.js';
import { distinctLatency, measures } from './testing/measures.js';
import type { Formula, Measures, ParamValue } from './types.js';

// Measures a formula may ask for, named as the harness names them.
const rich = (): Measures => ({
  ...measures({ accuracy: 0.65, top1: 0.7, top5: 0.9, map: 0.3, map50: 0.5, iou: 0.66, miou: 0.4, mdice: 0.55, f1: 0.6, recall10: 0.8 }, 25, 12.5),
  durationSeconds: 2.5,
  images: 100,
  energyWindowSeconds: 2.5,
  idle: { watts: 1, source: 'measured' },
});

/** Parameters without a default get their declared example (else 1). */
function requiredParams(f: Formula): Record<string, ParamValue> {
  const params: Record<string, ParamValue> = {};
  for (const [key, spec] of Object.entries(f.params)) if (spec.default === undefined) params[key] = spec.example ?? 1;
  return params;
}

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
    for (const spec of Object.values(f.params)) {
      // a parameter is typed (by its default or declared type); choices name its default
      expect(spec.default !== undefined || spec.type !== undefined).toBe(true);
      if (spec.choices !== undefined && spec.default !== undefined) expect(spec.choices).toContain(spec.default);
    }
  });

  it('lists its inputs and, when it has a score, what it used in which units (catalog formulas)', () => {
    if (f.name === 'accuracy-per-time' && f.version === 1) return; // predates the catalog: unchanged on purpose
    expect(f.inputs?.length ?? 0).toBeGreaterThan(0);
    const r = computeScore(f.name, f.version, rich(), requiredParams(f));
    expect(Object.keys(r.inputs ?? {}).length).toBeGreaterThan(0);
    for (const i of Object.values(r.inputs ?? {})) {
      expect(Number.isFinite(i.value)).toBe(true);
      expect(i.unit.length).toBeGreaterThan(0);
    }
  });

  it('names what is missing when its value is null for want of a measure (catalog formulas)', () => {
    if (f.name === 'accuracy-per-time' && f.version === 1) return;
    const bare: Measures = { accuracy: rich().accuracy, latency: null, energyJoules: null };
    const r = computeScore(f.name, f.version, bare, requiredParams(f));
    if (f.name === 'expression') return; // its example needs fps and energy: checked in expression.test.ts
    expect(r.value).toBeNull();
    expect(r.missing?.length ?? 0).toBeGreaterThan(0);
  });

  it('computes a finite score, labelled with its name and version, from full measures and default params', () => {
    const r = computeScore(f.name, f.version, rich(), requiredParams(f));
    expect(r.formula).toBe(f.name);
    expect(r.version).toBe(f.version);
    if (r.value === null) {
      expect(r.qualified).toBe(false);
      expect(r.reason).toBeTruthy();
    } else {
      expect(Number.isFinite(r.value)).toBe(true);
    }
  });

  it('declares the latency statistic it reads, and names in its result the one it read (docs/formulas.md)', () => {
    const params = resolveParams(f, requiredParams(f));
    const declared = f.latencyStatistic(params);
    expect(declared === null || (LATENCY_STATISTICS as readonly string[]).includes(declared)).toBe(true);
    // Without a wall clock or a given fps, a formula that reads latency at all reads the one it declares.
    const m = distinctLatency(rich().accuracy, { energyJoules: 12.5 });
    expect(computeScore(f.name, f.version, m, params).statistic ?? null).toBe(declared);
  });

  it('gives a null value with a reason, never NaN, when latency and energy are missing', () => {
    const m = { ...rich(), latency: null, energyJoules: null, durationSeconds: null, fps: null };
    let r;
    try {
      r = computeScore(f.name, f.version, m, requiredParams(f));
    } catch (e) {
      expect((e as { code?: string }).code).toBe('LPCV_E_FORMULA_INPUT');
      return;
    }
    if (r.value === null) expect(r.reason).toBeTruthy();
    else expect(Number.isFinite(r.value)).toBe(true);
  });
});
