import { describe, expect, it } from 'vitest';
import { LpcvError } from '../../errors/lpcv-error.js';
import { lookUpFormula, parseParamArgs, resolveRescoreFormula } from './rescore-request.js';

const current = { formula: 'accuracy-per-time', version: 1, params: { accuracy: 'top1' } };
const file = current;

function codeOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (e instanceof LpcvError) return `${e.code}: ${e.message}`;
    throw e;
  }
  throw new Error('expected an error');
}

describe('the formula a re-score applies', () => {
  it('looks up name@version, name@vN and a bare name (its latest version), and refuses anything else', () => {
    expect(lookUpFormula('accuracy-per-time@1').version).toBe(1);
    expect(lookUpFormula('lpcv2025@v1').name).toBe('lpcv2025');
    expect(lookUpFormula(' lpcv2025 ').version).toBeGreaterThanOrEqual(1);
    expect(codeOf(() => lookUpFormula('lpcv2025@one'))).toMatch(/^LPCV_E_RESCORE_FORMULA: formula "lpcv2025@one" is not name@version/);
    expect(codeOf(() => lookUpFormula('nope@1'))).toMatch(/^LPCV_E_RESCORE_FORMULA: no score formula named 'nope'/);
    expect(codeOf(() => lookUpFormula('accuracy-per-time@7'))).toMatch(/^LPCV_E_RESCORE_FORMULA: score formula 'accuracy-per-time' has no version 7/);
  });

  it('keeps the current parameters the new formula declares, types the given ones, and reports the dropped ones', () => {
    const r = resolveRescoreFormula({ ...current, params: { accuracy: 'top5', gone: 1 } }, file, { formula: 'lpcv2025@1', params: { cutoffMs: '2.5' } });
    expect(r.formula).toEqual({ formula: 'lpcv2025', version: 1, params: { accuracy: 'top5', cutoffMs: 2.5 } });
    expect(r.dropped).toEqual(['gone']);
    // No formula: the current one with new parameters.
    expect(resolveRescoreFormula(current, file, { params: { accuracy: 'top5' } }).formula).toEqual({
      formula: 'accuracy-per-time',
      version: 1,
      params: { accuracy: 'top5' },
    });
    expect(resolveRescoreFormula({ formula: 'lpcv2025', version: 1, params: { cutoffMs: 3 } }, file, { trackFile: true }).formula).toBe(file);
  });

  it('refuses unknown, mistyped, missing and badly checked parameters before anything runs', () => {
    expect(codeOf(() => resolveRescoreFormula(current, file, { params: { budget: 3 } }))).toMatch(/has no parameter 'budget' \(it takes: accuracy, latency\)/);
    expect(codeOf(() => resolveRescoreFormula(current, file, { formula: 'lpcv2025@1', params: { cutoffMs: 'fast' } }))).toMatch(
      /'cutoffMs' must be a finite number, got "fast"/,
    );
    expect(codeOf(() => resolveRescoreFormula(current, file, { formula: 'lpcv2025@1' }))).toMatch(/needs parameter 'cutoffMs'/);
    expect(codeOf(() => resolveRescoreFormula(current, file, { formula: 'lpcv2025@1', params: { cutoffMs: -1 } }))).toMatch(
      /^LPCV_E_RESCORE_FORMULA: lpcv2025@1: .*cutoffMs must be > 0/,
    );
    expect(codeOf(() => resolveRescoreFormula(current, file, { formula: 'lpcv2025@1', params: { cutoffMs: 3, latencyStat: 'worst' } }))).toMatch(
      /'latencyStat' must be one of/,
    );
    expect(codeOf(() => resolveRescoreFormula(current, file, { trackFile: true, formula: 'lpcv2025@1' }))).toMatch(/takes no formula/);
  });

  it('parses repeated key=value arguments and refuses a missing = or a key given twice', () => {
    expect(parseParamArgs(['a=1', 'expr=x=y'])).toEqual({ a: '1', expr: 'x=y' });
    expect(codeOf(() => parseParamArgs(['a']))).toMatch(/"a" is not key=value/);
    expect(codeOf(() => parseParamArgs(['a=1', 'a=2']))).toMatch(/a is given twice/);
  });
});
