import { describe, expect, it } from 'vitest';
import { computeScore, getFormula, listFormulas } from './registry.js';
import { measures } from './testing/measures.js';
import { errorOf } from '../../test/testing/lpcv-errors.js';

describe('formula registry', () => {
  it('finds a formula by name, the latest version when none is given', () => {
    expect(getFormula('accuracy-per-time').version).toBe(1);
    expect(getFormula('accuracy-per-time', 1).name).toBe('accuracy-per-time');
    expect(listFormulas().map((f) => `${f.name}@${f.version}`)).toContain('accuracy-per-time@1');
  });

  it('rejects an unknown name or version', () => {
    expect(errorOf(() => getFormula('no-such-formula')).code).toBe('LPCV_E_FORMULA_UNKNOWN');
    expect(errorOf(() => getFormula('accuracy-per-time', 99)).code).toBe('LPCV_E_FORMULA_UNKNOWN');
    expect(() => getFormula('accuracy-per-time', 99)).toThrow(/version 99.*accuracy-per-time v1/);
    expect(errorOf(() => computeScore('nope', undefined, measures({ top1: 1 }, 1), {})).code).toBe('LPCV_E_FORMULA_UNKNOWN');
  });

  it('rejects an unknown parameter or a parameter of the wrong type, naming it', () => {
    const m = measures({ top1: 0.5 }, 10);
    expect(errorOf(() => computeScore('accuracy-per-time', 1, m, { acuracy: 'top1' })).code).toBe('LPCV_E_FORMULA_INPUT');
    expect(() => computeScore('accuracy-per-time', 1, m, { acuracy: 'top1' })).toThrow(/'acuracy'/);
    expect(() => computeScore('accuracy-per-time', 1, m, { accuracy: 5 })).toThrow(/'accuracy' must be a string/);
  });

  it('fills in defaults: top1 for accuracy-per-time', () => {
    // 0.5 / 0.010 s = 50
    expect(computeScore('accuracy-per-time', undefined, measures({ top1: 0.5, top5: 0.9 }, 10)).value).toBe(50);
  });
});
