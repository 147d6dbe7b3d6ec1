import { describe, expect, it } from 'vitest';
import { errorOf } from '../../test/testing/lpcv-errors.js';
import { evaluate } from './expression/evaluate.js';
import { MAX_DEPTH, MAX_LENGTH, parseExpression, variablesOf } from './expression/parse.js';
import { checkScoreSpec, computeScore } from './registry.js';
import { run } from './testing/measures.js';

/** Evaluates text with the given variable values (the parser and evaluator alone). */
function calc(text: string, vars: Record<string, number> = {}): number | string {
  const r = evaluate(parseExpression(text), new Map(Object.entries(vars)));
  return r.ok ? r.value : r.reason;
}

/** The coded error text gives, and its column. */
function bad(text: string): { message: string; column: unknown } {
  const e = errorOf(() => parseExpression(text));
  expect(e.code).toBe('LPCV_E_EXPRESSION_INVALID');
  return { message: e.message, column: e.detail?.column };
}

describe('expression parser', () => {
  it('follows the usual precedence and associativity', () => {
    expect(calc('1 + 2 * 3')).toBe(7);
    expect(calc('(1 + 2) * 3')).toBe(9);
    expect(calc('10 - 4 - 3')).toBe(3); // left-associative: (10 - 4) - 3
    expect(calc('24 / 4 / 2')).toBe(3);
    expect(calc('2 ^ 3 ^ 2')).toBe(512); // right-associative: 2 ^ 9
    expect(calc('-2 ^ 2')).toBe(-4); // unary minus binds looser than ^
    expect(calc('2 ^ -1')).toBe(0.5);
    expect(calc('--3')).toBe(3);
    expect(calc('+3 - -3')).toBe(6);
    expect(calc('1.5e3 + .5 + 2.')).toBe(1502.5);
  });

  it('has relu, min, max, the logarithms (log is natural), sqrt, abs, exp', () => {
    expect(calc('relu(-1) + relu(2)')).toBe(2);
    expect(calc('min(3, 1, 2) + max(3, 1, 2)')).toBe(4);
    expect(calc('log(exp(2))')).toBeCloseTo(2, 14);
    expect(calc('ln(exp(1))')).toBeCloseTo(1, 14);
    expect(calc('log2(1024) + log10(1000)')).toBe(13);
    expect(calc('sqrt(16) * abs(-2)')).toBe(8);
  });

  it('reads measures and lists the ones it uses', () => {
    expect(calc('relu(map - 0.2) * fps / energy_j', { map: 0.35, fps: 20, energy_j: 2000 })).toBeCloseTo(0.0015, 15);
    expect(variablesOf(parseExpression('map * fps / (map + energy_j)'))).toEqual(['map', 'fps', 'energy_j']);
  });

  it('stops at a division by zero, a log of 0, a sqrt of a negative or an overflow, naming the column (a null score, not a parse error)', () => {
    expect(calc('1 / (map - map)', { map: 0.5 })).toBe('division by zero at column 3');
    expect(calc('log(0)')).toMatch(/log of 0 .* at column 1/);
    expect(calc('2 * sqrt(0 - 1)')).toMatch(/sqrt of -1 .* at column 5/);
    expect(calc('1e300 * 1e300')).toMatch(/the product at column 7 gives Infinity/);
    expect(calc('(0 - 8) ^ 0.5')).toMatch(/gives NaN/);
    // an intermediate infinity is caught even when min() would hide it
    expect(calc('min(exp(1000), 1)')).toMatch(/exp\(\.\.\.\) at column 5 gives Infinity/);
  });

  it('refuses malformed text with a coded error naming the column', () => {
    expect(bad('')).toMatchObject({ column: 1, message: expect.stringMatching(/empty/) });
    expect(bad('   ')).toMatchObject({ column: 1 });
    expect(bad('map +')).toMatchObject({ column: 6, message: expect.stringMatching(/ends early/) });
    expect(bad('map 0.2')).toMatchObject({ column: 5, message: expect.stringMatching(/unexpected number 0.2 after a complete expression/) });
    expect(bad('(map - 0.2')).toMatchObject({ column: 11, message: expect.stringMatching(/'\(' at column 1 is not closed/) });
    expect(bad('map)')).toMatchObject({ column: 4, message: expect.stringMatching(/unmatched '\)'/) });
    expect(bad('map * * 2')).toMatchObject({ column: 7 });
    expect(bad('map % 2')).toMatchObject({ column: 5, message: expect.stringMatching(/unexpected character '%'/) });
    expect(bad('map\u00a0* 2')).toMatchObject({ column: 4, message: expect.stringMatching(/U\+00A0/) });
    expect(bad('2e + 1')).toMatchObject({ column: 1, message: expect.stringMatching(/malformed number '2e'/) });
    expect(bad('1.2.3')).toMatchObject({ column: 1, message: expect.stringMatching(/malformed number/) });
    expect(bad('min(1,)')).toMatchObject({ column: 7 });
  });

  it('refuses unknown names and functions, and names used as the other kind', () => {
    expect(bad('0.5 * enrgy_j')).toMatchObject({ column: 7, message: expect.stringMatching(/unknown measure 'enrgy_j' \(measures: accuracy, top1/) });
    expect(bad('softmax(map)')).toMatchObject({ column: 1, message: expect.stringMatching(/unknown function 'softmax' \(functions: relu/) });
    expect(bad('map(1)').message).toMatch(/'map' is a measure, not a function/);
    expect(bad('relu + 1').message).toMatch(/'relu' is a function: write relu\(\.\.\.\)/);
    // no prototype names leak in as measures or functions
    expect(bad('constructor').message).toMatch(/unknown measure/);
    expect(bad('toString(1)').message).toMatch(/unknown function/);
  });

  it('checks arity', () => {
    expect(bad('relu(1, 2)').message).toMatch(/relu takes 1 argument, got 2/);
    expect(bad('max(1)').message).toMatch(/max takes at least 2 arguments, got 1/);
    expect(bad('log()').message).toMatch(/log takes 1 argument, got 0/);
  });

  it('refuses hostile input: deep nesting, huge numbers, very long text', () => {
    const deep = `${'('.repeat(MAX_DEPTH + 1)}1${')'.repeat(MAX_DEPTH + 1)}`;
    expect(bad(deep)).toMatchObject({ column: MAX_DEPTH + 1, message: expect.stringMatching(/nesting deeper than 64/) });
    expect(calc(`${'('.repeat(MAX_DEPTH)}1${')'.repeat(MAX_DEPTH)}`)).toBe(1);
    expect(bad('-'.repeat(500) + '1').message).toMatch(/nesting deeper/);
    expect(bad(`${'relu('.repeat(200)}1${')'.repeat(200)}`).message).toMatch(/nesting deeper/);
    expect(bad(`2${'^2'.repeat(100)}`).message).toMatch(/nesting deeper/);
    expect(bad('1e400 * map')).toMatchObject({ column: 1, message: expect.stringMatching(/too large/) });
    expect(bad(`1${'0'.repeat(400)}`).message).toMatch(/too large/);
    expect(bad('1'.repeat(MAX_LENGTH + 1))).toMatchObject({ column: MAX_LENGTH + 1, message: expect.stringMatching(/2001 characters long \(at most 2000\)/) });
    // long but legal: a flat sum of 666 terms has no nesting to speak of
    expect(calc(Array.from({ length: 666 }, () => '1').join('+'))).toBe(666);
    // 1e-400 underflows to 0: a finite number, accepted
    expect(calc('1e-400 + 1')).toBe(1);
  });
});

describe('expression v1 (the formula)', () => {
  it('scores a run and notes the measures it used', () => {
    // relu(0.35 - 0.2) x 20 fps / 2000 J = 0.15 x 20 / 2000 = 0.0015
    const r = computeScore('expression', 1, run({ map: 0.35 }, { energyJoules: 2000, fps: 20 }), { expr: 'relu(map - 0.2) * fps / energy_j' });
    expect(r.value).toBeCloseTo(0.0015, 15);
    expect(r).toMatchObject({ formula: 'expression', version: 1, qualified: true });
    expect(r.inputs).toMatchObject({ map: { value: 0.35 }, fps: { value: 20, unit: '1/s' }, energy: { value: 2000, unit: 'J' } });
    // units by name: 7200 J = 2 Wh; latency in ms, latency_s in s
    expect(computeScore('expression', 1, run({}, { energyJoules: 7200 }), { expr: 'energy_wh' }).value).toBe(2);
    expect(computeScore('expression', 1, run({}, { latencyMs: 25 }), { expr: 'latency_mean / latency_s' }).value).toBeCloseTo(1000, 10);
  });

  it('gives null with the missing measures, or with the arithmetic reason', () => {
    const none = computeScore('expression', 1, run({ map: 0.35 }), { expr: 'map / energy_j + fps' });
    expect(none).toMatchObject({ value: null, qualified: false, missing: ['energy', 'fps'] });
    const zero = computeScore('expression', 1, run({ map: 0.35 }, { energyJoules: 0 }), { expr: 'map / energy_j' });
    expect(zero).toMatchObject({ value: null, qualified: false, reason: 'division by zero at column 5' });
  });

  it('refuses a bad expression when computing, and names the key when a track is checked', () => {
    expect(errorOf(() => computeScore('expression', 1, run({}), { expr: 'map +' })).code).toBe('LPCV_E_EXPRESSION_INVALID');
    expect(errorOf(() => computeScore('expression', 1, run({}), {})).message).toMatch(/needs parameter 'expr'/);
    expect(checkScoreSpec({ formula: 'expression', params: { expr: 'relu(map - 0.2' } })).toMatchObject({
      key: 'score.params.expr',
      code: 'LPCV_E_EXPRESSION_INVALID',
      message: expect.stringMatching(/not closed/),
    });
    expect(checkScoreSpec({ formula: 'expression', params: { expr: 'map * 2' } })).toBeNull();
    expect(checkScoreSpec({ formula: 'expression', params: { expr: 5 } })?.key).toBe('score.params.expr');
    expect(checkScoreSpec({ formula: 'no-such', params: {} })?.key).toBe('score.formula');
    expect(checkScoreSpec({ formula: 'lpirc', version: 7, params: {} })?.key).toBe('score.version');
    expect(checkScoreSpec({ formula: 'lpirc', params: { acuracy: 'map' } })?.key).toBe('score.params.acuracy');
  });
});
