/**
 * expression v1: an organizer's own formula, an arithmetic expression over named measures
 * (docs/formulas.md lists the measures with their units and the functions). Parsed by
 * expression/parse.ts, walked by expression/evaluate.ts: never eval.
 */
import { LpcvError } from '../../errors/lpcv-error.js';
import type { LatencyStatistic } from './measure-names.js';
import type { Formula, FormulaResult, Measures, ParamValue } from './types.js';
import { viewOf } from './measure-view.js';
import { evaluate } from './expression/evaluate.js';
import { VARIABLES } from './expression/names.js';
import { parseExpression, variablesOf, type Node } from './expression/parse.js';

const NAME = 'expression';
const VERSION = 1;

function parsed(params: Readonly<Record<string, ParamValue>>): Node {
  const expr = params.expr;
  if (typeof expr !== 'string') {
    throw new LpcvError('LPCV_E_EXPRESSION_INVALID', `${NAME} v${VERSION}: parameter 'expr' must be the expression as a string, got ${String(expr)}`, {
      param: 'expr',
    });
  }
  try {
    return parseExpression(expr);
  } catch (e) {
    if (e instanceof LpcvError) throw new LpcvError(e.code, e.message, { ...e.detail, param: 'expr' });
    throw e;
  }
}

export const expressionV1: Formula = Object.freeze({
  name: NAME,
  version: VERSION,
  title: "An organizer's own formula: an arithmetic expression over the measures",
  description:
    'score = the value of `expr`, e.g. relu(map - 0.2) * fps / energy_j. Measures (units in the name or fixed): ' +
    'accuracy metrics accuracy, top1, top5, map, map50, iou, f1, mdice, miou, recall10 as fractions; ' +
    'latency_mean, latency_p50, latency_p90, latency_p95, latency_p99, latency_min, latency_max, latency_std, ' +
    "latency_p90_early_stopping (LoadGen's estimate), latency_calibrated (relative x the track's reference latency) in ms; " +
    'latency_s (mean, s); energy_j (J), energy_wh (Wh); duration_s, window_s (s); fps (1/s); images (count); ' +
    'idle_watts (W). Functions relu, min, max, log (natural, = ln), ln, log2, log10, sqrt, abs, exp; operators ' +
    '+ - * / ^ (right-associative, binds tighter than unary minus), parentheses. Edges: a measure the run lacks -> ' +
    'null (missing); division by zero, log of x <= 0, sqrt of x < 0 or any non-finite intermediate -> null with ' +
    'the column; bad text -> LPCV_E_EXPRESSION_INVALID when the track loads.',
  source: 'The harness (issue 5): for a new edition whose organizers invent a formula. Not a published LPCVC rule.',
  params: Object.freeze({
    expr: { description: 'the expression, at most 2000 characters', type: 'string' as const, example: 'relu(map - 0.2) * fps / energy_j' },
  }),
  inputs: Object.freeze([{ name: '(any)', unit: '-', description: 'the measures the expression names' }]),
  checkParams(params: Readonly<Record<string, ParamValue>>): void {
    parsed(params);
  },
  // The first latency statistic the expression names (fps counts as the mean it may fall back to).
  latencyStatistic(params: Readonly<Record<string, ParamValue>>): LatencyStatistic | null {
    for (const name of variablesOf(parsed(params))) {
      const s = VARIABLES[name]!.statistic;
      if (s !== undefined) return s;
    }
    return null;
  },
  compute(m: Measures, params: Readonly<Record<string, ParamValue>>): FormulaResult {
    const ast = parsed(params);
    const v = viewOf(m, NAME, VERSION);
    const values = new Map<string, number>();
    let missing = false;
    for (const name of variablesOf(ast)) {
      const x = VARIABLES[name]!.read(v);
      if (x === null) missing = true;
      else values.set(name, x);
    }
    if (missing) return v.unscored();
    const r = evaluate(ast, values);
    return r.ok ? v.scored(r.value, true) : v.unscored(r.reason);
  },
});
