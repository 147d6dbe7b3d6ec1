import { LpcvError } from '../../errors/lpcv-error.js';
import { latencyMeasureName, measureSpec, measuresFromGiven, parseAssignments, type LatencyStatistic } from '../../scoring/formulas/measure-names.js';
import { paramType, parseFormulaRef, resolveParams } from '../../scoring/formulas/registry.js';
import type { Formula, FormulaResult, InputValue, ParamValue } from '../../scoring/formulas/types.js';
import { unitsOf } from '../../scoring/units/quantity.js';
import { num } from '../format.js';

export interface FormulaCliOptions {
  set: string[];
  param: string[];
  json?: boolean;
}

/** Measures each formula that predates the catalog needs (it does not report what is missing itself). */
const LEGACY_NEEDS: Record<string, (p: Readonly<Record<string, ParamValue>>) => string[]> = {
  'accuracy-per-time@1': (p) => [String(p.accuracy), latencyMeasureName(p.latency as LatencyStatistic)].filter((n) => measureSpec(n) !== undefined),
};

/** `lpcv formula <name>[@version] --set m=v ...`: one score from measures given by hand. */
export async function formulaCommand(ref: string, o: FormulaCliOptions): Promise<number> {
  const f = parseFormulaRef(ref);
  const given = parseAssignments(o.set);
  const params = resolveParams(f, parseParams(f, o.param));
  const legacy = LEGACY_NEEDS[`${f.name}@${f.version}`];
  if (legacy !== undefined) {
    const absent = legacy(params).filter((n) => !given.has(n));
    if (absent.length > 0) throw missingError(f, absent);
  }
  let r: FormulaResult;
  try {
    r = f.compute(measuresFromGiven(given), params);
  } catch (e) {
    const missing = e instanceof LpcvError ? e.detail?.missing : undefined;
    if (Array.isArray(missing)) throw missingError(f, missing.map(String));
    throw e;
  }
  if (r.missing !== undefined && r.missing.length > 0) throw missingError(f, r.missing);
  const inputs = r.inputs ?? legacyInputs(given);
  const used = new Set(Object.keys(inputs).map((k) => (k === 'latency' ? 'latency_mean' : k)));
  for (const name of given.keys()) {
    if (!used.has(name)) process.stderr.write(`lpcv: warning: ${name} was given but ${f.name} v${f.version} does not use it\n`);
  }
  const out = {
    formula: r.formula,
    version: r.version,
    value: r.value,
    qualified: r.qualified,
    ...(r.reason === undefined ? {} : { reason: r.reason }),
    inputs,
    params,
  };
  if (o.json) {
    process.stdout.write(`${JSON.stringify(out)}\n`);
    return 0;
  }
  const lines = [`${f.name} v${f.version}: ${f.title}`, 'inputs'];
  const width = Math.max(...Object.keys(inputs).map((k) => k.length), 6);
  for (const [k, v] of Object.entries(inputs)) lines.push(`  ${k.padEnd(width)}  ${String(v.value)} ${v.unit}${v.from ? `  (${v.from})` : ''}`);
  const shown = Object.entries(params).map(([k, v]) => `${k}=${String(v)}`);
  if (shown.length > 0) lines.push(`params    ${shown.join(', ')}`);
  lines.push(
    `score     ${r.value === null ? '-' : `${num(r.value, 6)} (${r.value})`}  ${r.qualified ? 'qualified' : 'not qualified'}${r.reason ? `: ${r.reason}` : ''}`,
  );
  process.stdout.write(`${lines.join('\n')}\n`);
  return 0;
}

/** `--param k=v`: a number where the parameter is a number, else the text. */
function parseParams(f: Formula, texts: readonly string[]): Record<string, ParamValue> {
  const out: Record<string, ParamValue> = {};
  for (const t of texts) {
    const eq = t.indexOf('=');
    if (eq <= 0) throw new LpcvError('LPCV_E_USAGE', `--param ${t.slice(0, 60)}: expected <name>=<value>`);
    const key = t.slice(0, eq);
    const text = t.slice(eq + 1);
    if (Object.hasOwn(out, key)) throw new LpcvError('LPCV_E_USAGE', `--param ${key}: given twice`);
    const spec = Object.hasOwn(f.params, key) ? f.params[key] : undefined;
    if (spec !== undefined && paramType(spec) === 'number') {
      const n = Number(text);
      if (!/^\s*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?\s*$/.test(text) || !Number.isFinite(n)) {
        throw new LpcvError('LPCV_E_USAGE', `--param ${key}=${text.slice(0, 40)}: ${f.name} v${f.version}'s ${key} is a number`);
      }
      out[key] = n;
    } else out[key] = text;
  }
  return out;
}

const EXAMPLE = { energy: '36.7J', time: '6.8ms', power: '1.961W', rate: '30fps', fraction: '0.75', count: '600' } as const;

function missingError(f: Formula, names: readonly string[]): LpcvError {
  const hints = names.map((n) => {
    const name = n === 'latency_mean' ? 'latency' : n;
    const spec = measureSpec(name);
    if (name === 'fps') return 'fps (--set fps=30, or --set duration=... and --set images=..., or --set latency=...)';
    if (spec === undefined) return name;
    return `${name} (e.g. --set ${name}=${EXAMPLE[spec.kind]}; ${unitsOf(spec.kind)})`;
  });
  return new LpcvError('LPCV_E_MEASURE_MISSING', `${f.name} v${f.version} needs ${hints.join('; ')}`, { missing: [...names] });
}

/** For formulas that do not report their inputs: what was given, in base units. */
function legacyInputs(given: ReturnType<typeof parseAssignments>): Record<string, InputValue> {
  const out: Record<string, InputValue> = {};
  for (const [name, v] of given) {
    const spec = measureSpec(name);
    const unit = spec === undefined ? '' : { energy: 'J', time: 's', power: 'W', rate: '1/s', fraction: 'fraction', count: 'count' }[spec.kind];
    out[name] = { value: v.value, unit };
  }
  return out;
}
