/**
 * The names an expression may use: measures (each read through MeasureView in a stated unit) and
 * functions (each with its arity). `log` is the natural logarithm, as in C, numpy and JavaScript; `ln` is
 * the same function; `log2` and `log10` are the others.
 */
import { ACCURACY_METRICS, LATENCY_STATISTICS, latencyMeasureName, type LatencyStatistic } from '../measure-names.js';
import type { MeasureView } from '../measure-view.js';

export interface VariableSpec {
  readonly unit: string;
  readonly description: string;
  /** The statistic of the latency it reads (fps: the mean, where it falls back to 1 / latency), if any. */
  readonly statistic?: LatencyStatistic;
  /** The value in `unit`, or null when it was not measured (the view records what is missing). */
  read(v: MeasureView): number | null;
}

const variables: Record<string, VariableSpec> = {};
for (const metric of ACCURACY_METRICS) {
  variables[metric] = { unit: 'fraction', description: `accuracy metric ${metric}, in [0, 1]`, read: (v) => v.accuracy(metric).fraction };
}
const STATISTIC_TEXT: Partial<Record<LatencyStatistic, string>> = {
  p90EarlyStopping: "LoadGen's early-stopping estimate of the p90 (0.99 confidence)",
  calibrated: "relative latency x the track's fixed reference latency",
};
for (const stat of LATENCY_STATISTICS) {
  variables[latencyMeasureName(stat)] = {
    unit: 'ms',
    description: `per-image latency, ${STATISTIC_TEXT[stat] ?? stat}, in milliseconds`,
    statistic: stat,
    read: (v) => v.latency(stat)?.milliseconds ?? null,
  };
}
Object.assign(variables, {
  latency_s: { unit: 's', description: 'mean per-image latency in seconds', statistic: 'mean', read: (v: MeasureView) => v.latency('mean')?.seconds ?? null },
  energy_j: { unit: 'J', description: 'gross energy of the run in joules', read: (v: MeasureView) => v.energy()?.joules ?? null },
  energy_wh: { unit: 'Wh', description: 'gross energy of the run in watt-hours (J / 3600)', read: (v: MeasureView) => v.energy()?.wattHours ?? null },
  duration_s: { unit: 's', description: 'wall-clock seconds of the whole run', read: (v: MeasureView) => v.duration()?.seconds ?? null },
  window_s: { unit: 's', description: 'seconds the energy was integrated over (else duration)', read: (v: MeasureView) => v.energyWindow()?.seconds ?? null },
  fps: {
    unit: '1/s',
    description: 'images per second (given, else images / duration, else 1000 / latency_mean)',
    statistic: 'mean',
    read: (v: MeasureView) => v.fps()?.perSecond ?? null,
  },
  images: { unit: 'count', description: 'images processed in duration_s', read: (v: MeasureView) => v.images() },
  idle_watts: {
    unit: 'W',
    description: "the record's idle power figure (measured before the run, or the track's)",
    read: (v: MeasureView) => v.recordIdle()?.watts ?? null,
  },
} satisfies Record<string, VariableSpec>);

export const VARIABLES: Readonly<Record<string, VariableSpec>> = Object.freeze(variables);

export interface FunctionSpec {
  readonly minArgs: number;
  readonly maxArgs: number;
  readonly description: string;
  /** Null when an argument is outside the domain (the message says why). */
  readonly domain?: (args: readonly number[]) => string | null;
  apply(args: readonly number[]): number;
}

const one = (description: string, f: (x: number) => number, domain?: (x: number) => string | null): FunctionSpec => ({
  minArgs: 1,
  maxArgs: 1,
  description,
  apply: (a) => f(a[0]!),
  ...(domain ? { domain: (a: readonly number[]) => domain(a[0]!) } : {}),
});
const positive = (name: string) => (x: number) => (x > 0 ? null : `${name} of ${x} (not > 0)`);

export const FUNCTIONS: Readonly<Record<string, FunctionSpec>> = Object.freeze({
  relu: one('max(x, 0)', (x) => (x > 0 ? x : 0)),
  abs: one('absolute value', Math.abs),
  sqrt: one('square root', Math.sqrt, (x) => (x >= 0 ? null : `sqrt of ${x} (negative)`)),
  log: one('natural logarithm (same as ln)', Math.log, positive('log')),
  ln: one('natural logarithm', Math.log, positive('ln')),
  log2: one('base-2 logarithm', Math.log2, positive('log2')),
  log10: one('base-10 logarithm', Math.log10, positive('log10')),
  exp: one('e to the x', Math.exp),
  min: { minArgs: 2, maxArgs: Infinity, description: 'smallest argument', apply: (a: readonly number[]) => Math.min(...a) },
  max: { minArgs: 2, maxArgs: Infinity, description: 'largest argument', apply: (a: readonly number[]) => Math.max(...a) },
});

export function variableNames(): string {
  return Object.keys(VARIABLES).join(', ');
}

export function functionNames(): string {
  return Object.keys(FUNCTIONS).join(', ');
}
