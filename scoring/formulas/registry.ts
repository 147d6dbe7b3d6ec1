/**
 * The registry of score formulas, by name and version. A new formula (or a new version of one) joins by
 * being added to FORMULAS; the contract test runs every entry.
 */
import { LpcvError } from '../../errors/lpcv-error.js';
import { accuracyPerTimeV1 } from './accuracy-per-time.js';
import { dacSdc2022V1 } from './dac-sdc-2022.js';
import { expressionV1 } from './expression.js';
import { lpcv2020FpgaV1 } from './lpcv2020-fpga.js';
import { lpcv2021FpgaV1 } from './lpcv2021-fpga.js';
import { lpcv2023SegV1 } from './lpcv2023-seg.js';
import { lpcv2025V1 } from './lpcv2025.js';
import { lpircV1 } from './lpirc.js';
import { ovicV1 } from './ovic.js';
import type { Formula, FormulaResult, Measures, ParamSpec, ParamValue } from './types.js';
import { lpcv2020VideoV1, lpcv2021VideoV1 } from './uav-video.js';

const FORMULAS: readonly Formula[] = [
  accuracyPerTimeV1,
  lpircV1,
  lpcv2020VideoV1,
  lpcv2021VideoV1,
  lpcv2020FpgaV1,
  lpcv2021FpgaV1,
  lpcv2023SegV1,
  ovicV1,
  lpcv2025V1,
  dacSdc2022V1,
  expressionV1,
];

const byName = new Map<string, Formula[]>();
for (const f of FORMULAS) {
  const versions = byName.get(f.name) ?? [];
  if (versions.some((v) => v.version === f.version)) {
    throw new LpcvError('LPCV_E_INTERNAL', `score formula ${f.name} v${f.version} is registered twice`);
  }
  versions.push(f);
  versions.sort((a, b) => a.version - b.version);
  byName.set(f.name, versions);
}

function known(): string {
  return listFormulas()
    .map((f) => `${f.name} v${f.version}`)
    .join(', ');
}

/** Every registered formula, by name and then version. */
export function listFormulas(): Formula[] {
  return [...byName.keys()].sort().flatMap((name) => byName.get(name) ?? []);
}

/** The formula with this name and version; the latest version when `version` is omitted. */
export function getFormula(name: string, version?: number): Formula {
  const versions = byName.get(name);
  if (versions === undefined) {
    throw new LpcvError('LPCV_E_FORMULA_UNKNOWN', `no score formula named '${name}' (known: ${known()})`);
  }
  if (version === undefined) return versions[versions.length - 1];
  const f = versions.find((v) => v.version === version);
  if (f === undefined) {
    throw new LpcvError('LPCV_E_FORMULA_UNKNOWN', `score formula '${name}' has no version ${version} (known: ${known()})`);
  }
  return f;
}

/** The type a parameter takes: its declared type, else its default's. */
export function paramType(spec: ParamSpec): 'number' | 'string' | undefined {
  if (spec.type !== undefined) return spec.type;
  if (spec.default === undefined) return undefined;
  return typeof spec.default === 'string' ? 'string' : 'number';
}

/**
 * Checks `params` against the formula's declared parameters (an unknown name, a value of the wrong type, a
 * string outside its choices or a missing parameter without default is LPCV_E_FORMULA_INPUT naming it, with
 * detail.param) and fills in defaults. Then the formula's own check (checkParams), e.g. that an expression
 * parses (LPCV_E_EXPRESSION_INVALID).
 */
export function resolveParams(f: Formula, params: Readonly<Record<string, ParamValue>> = {}): Readonly<Record<string, ParamValue>> {
  const id = `${f.name} v${f.version}`;
  const resolved: Record<string, ParamValue> = {};
  for (const [key, value] of Object.entries(params)) {
    const spec = Object.hasOwn(f.params, key) ? f.params[key] : undefined;
    if (spec === undefined) {
      const takes = Object.keys(f.params).join(', ') || 'no parameters';
      throw new LpcvError('LPCV_E_FORMULA_INPUT', `${id} has no parameter '${key}' (it takes: ${takes})`, { param: key });
    }
    const type = paramType(spec);
    const valid = typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value));
    if (!valid || (type !== undefined && typeof value !== type)) {
      throw new LpcvError(
        'LPCV_E_FORMULA_INPUT',
        `${id}: parameter '${key}' must be a ${type === 'string' ? 'string' : 'finite number'}, got ${String(value)}`,
        { param: key },
      );
    }
    if (spec.choices !== undefined && !spec.choices.includes(String(value))) {
      throw new LpcvError('LPCV_E_FORMULA_INPUT', `${id}: parameter '${key}' must be one of ${spec.choices.join(', ')}, got '${String(value)}'`, {
        param: key,
      });
    }
    resolved[key] = value;
  }
  for (const [key, spec] of Object.entries(f.params)) {
    if (Object.hasOwn(resolved, key)) continue;
    if (spec.default === undefined) throw new LpcvError('LPCV_E_FORMULA_INPUT', `${id} needs parameter '${key}'`, { param: key });
    resolved[key] = spec.default;
  }
  const frozen = Object.freeze(resolved);
  f.checkParams?.(frozen);
  return frozen;
}

/** Checks `params` as resolveParams does and computes. */
export function computeScore(name: string, version: number | undefined, measures: Measures, params: Readonly<Record<string, ParamValue>> = {}): FormulaResult {
  const f = getFormula(name, version);
  return f.compute(measures, resolveParams(f, params));
}

/**
 * A track's `score` checked when the track loads, so that a bad track file fails at start-up: the key
 * (`score.formula`, `score.params.expr`, ...) and the message of the first problem, or null when it is fine.
 */
export function checkScoreSpec(score: {
  formula: string;
  version?: number;
  params: Readonly<Record<string, ParamValue>>;
}): { key: string; message: string; code: string } | null {
  let f: Formula;
  try {
    f = getFormula(score.formula, score.version);
  } catch (e) {
    if (e instanceof LpcvError) return { key: score.version === undefined ? 'score.formula' : 'score.version', message: e.message, code: e.code };
    throw e;
  }
  try {
    resolveParams(f, score.params);
  } catch (e) {
    if (e instanceof LpcvError) {
      const param = typeof e.detail?.param === 'string' ? e.detail.param : undefined;
      return { key: param === undefined ? 'score.params' : `score.params.${param}`, message: e.message, code: e.code };
    }
    throw e;
  }
  return null;
}

/** `name` or `name@version` (as the leaderboard and rescore write it): the formula it names. */
export function parseFormulaRef(ref: string): Formula {
  const at = ref.lastIndexOf('@');
  if (at < 0) return getFormula(ref);
  const name = ref.slice(0, at);
  const v = ref.slice(at + 1);
  if (!/^[1-9]\d{0,5}$/.test(v)) {
    throw new LpcvError('LPCV_E_FORMULA_UNKNOWN', `'${ref.slice(0, 80)}': the version after @ must be a positive integer (e.g. ${name || 'lpirc'}@1)`);
  }
  return getFormula(name, Number(v));
}
