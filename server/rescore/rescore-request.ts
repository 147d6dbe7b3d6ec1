/**
 * What a re-score is asked for, from the CLI (`--formula name@version --param k=v`), the admin API or the
 * page form: turned into a concrete formula (name, version, parameters) checked against the registry
 * before anything is read or written. Every mistake is LPCV_E_RESCORE_FORMULA naming it.
 */
import { LpcvError } from '../../errors/lpcv-error.js';
import { getFormula } from '../../scoring/formulas/registry.js';
import type { Formula, ParamValue } from '../../scoring/formulas/types.js';
import type { TrackFormula } from '../leaderboard/track-formulas.js';

export interface RescoreRequest {
  /** `name@version` or `name` (its latest version); omitted: keep the effective formula. */
  readonly formula?: string;
  /** Parameters as `key=value` texts or values, applied over the kept ones (see resolveRescoreFormula). */
  readonly params?: Readonly<Record<string, string | number>>;
  /** Go back to the track file's formula (and remove the override); excludes `formula` and `params`. */
  readonly trackFile?: boolean;
}

const SPEC = /^([A-Za-z0-9][A-Za-z0-9._-]*)(?:@(?:v)?([1-9][0-9]{0,5}))?$/;

function bad(message: string): LpcvError {
  return new LpcvError('LPCV_E_RESCORE_FORMULA', message);
}

/** `name@version` (or `name`, `name@v2`) to the registered formula. */
export function lookUpFormula(spec: string): Formula {
  const m = SPEC.exec(spec.trim());
  if (m === null) throw bad(`formula ${JSON.stringify(spec)} is not name@version (e.g. accuracy-per-time@1) or a name`);
  try {
    return getFormula(m[1]!, m[2] === undefined ? undefined : Number(m[2]));
  } catch (e) {
    if (e instanceof LpcvError) throw bad(e.message);
    throw e;
  }
}

/** `["k=v", ...]` (repeated --param) to an object; a key given twice is a mistake. */
export function parseParamArgs(args: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const a of args) {
    const eq = a.indexOf('=');
    if (eq <= 0) throw bad(`--param ${JSON.stringify(a)} is not key=value`);
    const key = a.slice(0, eq).trim();
    if (Object.hasOwn(out, key)) throw bad(`--param ${key} is given twice`);
    out[key] = a.slice(eq + 1);
  }
  return out;
}

/** What the registry's parameter specs may say (read structurally: older formulas carry only a default). */
interface ParamSpecView {
  readonly default?: ParamValue;
  readonly type?: 'number' | 'string';
  readonly choices?: readonly string[];
}

const NUMBER_TEXT = /^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i;

/** A given value as the type the formula declares (its `type`, else its default's type; without either, a number when it looks like one). */
function typedParam(f: Formula, key: string, value: string | number): ParamValue {
  const spec = (Object.hasOwn(f.params, key) ? f.params[key] : undefined) as ParamSpecView | undefined;
  const id = `${f.name}@${f.version}`;
  if (spec === undefined) throw bad(`${id} has no parameter '${key}' (it takes: ${Object.keys(f.params).join(', ') || 'no parameters'})`);
  const declared = spec.type ?? (spec.default === undefined ? undefined : typeof spec.default === 'number' ? 'number' : 'string');
  const wantsNumber = declared === undefined ? typeof value === 'number' || NUMBER_TEXT.test(value.trim()) : declared === 'number';
  if (!wantsNumber) {
    const text = String(value);
    if (spec.choices !== undefined && !spec.choices.includes(text))
      throw bad(`${id}: parameter '${key}' must be one of ${spec.choices.join(', ')}, got ${JSON.stringify(text)}`);
    return text;
  }
  const n = typeof value === 'number' ? value : NUMBER_TEXT.test(value.trim()) ? Number(value.trim()) : Number.NaN;
  if (!Number.isFinite(n)) throw bad(`${id}: parameter '${key}' must be a finite number, got ${JSON.stringify(value)}`);
  return n;
}

export interface ResolvedFormula {
  readonly formula: TrackFormula;
  /** Parameters of the formula before that the new one does not take (dropped, reported). */
  readonly dropped: readonly string[];
}

/**
 * The formula a re-score applies. With `formula`: that one, keeping those of the current parameters that
 * it declares; without: the current (effective) formula and its parameters. Then `params` over them. A
 * required parameter that is still missing is a mistake here, not on the first result.
 */
export function resolveRescoreFormula(current: TrackFormula, fromTrackFile: TrackFormula, request: RescoreRequest): ResolvedFormula {
  if (request.trackFile === true) {
    if (request.formula !== undefined || Object.keys(request.params ?? {}).length > 0)
      throw bad("going back to the track file's formula takes no formula and no parameters");
    return { formula: fromTrackFile, dropped: [] };
  }
  const f = request.formula === undefined ? lookUpFormula(`${current.formula}@${current.version}`) : lookUpFormula(request.formula);
  const params: Record<string, ParamValue> = {};
  const dropped: string[] = [];
  for (const [k, v] of Object.entries(current.params)) {
    if (Object.hasOwn(f.params, k)) params[k] = v;
    else dropped.push(k);
  }
  for (const [k, v] of Object.entries(request.params ?? {})) params[k] = typedParam(f, k, v);
  for (const [k, spec] of Object.entries(f.params)) {
    if (spec.default === undefined && !Object.hasOwn(params, k)) throw bad(`${f.name}@${f.version} needs parameter '${k}' (--param ${k}=...)`);
  }
  // A formula may check its parameters beyond their types (an expression that does not parse).
  const check = (f as { checkParams?: (p: Readonly<Record<string, ParamValue>>) => void }).checkParams;
  if (check !== undefined) {
    try {
      check.call(f, params);
    } catch (e) {
      if (e instanceof LpcvError) throw bad(`${f.name}@${f.version}: ${e.message}`);
      throw e;
    }
  }
  return { formula: { formula: f.name, version: f.version, params }, dropped };
}
