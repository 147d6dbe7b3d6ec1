/**
 * The registry of score formulas, by name and version. A new formula (or a new version of one) joins by
 * being added to FORMULAS; the contract test runs every entry.
 */
import { LpcvError } from '../../errors/lpcv-error.js';
import { accuracyPerTimeV1 } from './accuracy-per-time.js';
import type { Formula, FormulaResult, Measures, ParamValue } from './types.js';

const FORMULAS: readonly Formula[] = [accuracyPerTimeV1];

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

/**
 * Checks `params` against the formula's declared parameters (an unknown name, a value of the wrong type or a
 * missing parameter without default is LPCV_E_FORMULA_INPUT naming it), fills in defaults and computes.
 */
export function computeScore(
  name: string,
  version: number | undefined,
  measures: Measures,
  params: Readonly<Record<string, ParamValue>> = {},
): FormulaResult {
  const f = getFormula(name, version);
  const id = `${f.name} v${f.version}`;
  const resolved: Record<string, ParamValue> = {};
  for (const [key, value] of Object.entries(params)) {
    const spec = Object.hasOwn(f.params, key) ? f.params[key] : undefined;
    if (spec === undefined) {
      const takes = Object.keys(f.params).join(', ') || 'no parameters';
      throw new LpcvError('LPCV_E_FORMULA_INPUT', `${id} has no parameter '${key}' (it takes: ${takes})`);
    }
    const valid = typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value));
    if (!valid || (spec.default !== undefined && typeof value !== typeof spec.default)) {
      throw new LpcvError('LPCV_E_FORMULA_INPUT', `${id}: parameter '${key}' must be a ${typeof spec.default === 'string' ? 'string' : 'finite number'}, got ${String(value)}`);
    }
    resolved[key] = value;
  }
  for (const [key, spec] of Object.entries(f.params)) {
    if (Object.hasOwn(resolved, key)) continue;
    if (spec.default === undefined) throw new LpcvError('LPCV_E_FORMULA_INPUT', `${id} needs parameter '${key}'`);
    resolved[key] = spec.default;
  }
  return f.compute(measures, Object.freeze(resolved));
}
