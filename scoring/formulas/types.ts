/**
 * The score-formula plugin interface. A formula turns measured accuracy, latency and energy into one score;
 * each has a stable name and an integer version, and a published formula never changes: a change is a new
 * version, so old results stay reproducible.
 */
import type { LatencyStats } from '../latency-stats.js';
import type { LatencyStatistic } from './measure-names.js';

/** Per-image latency statistics (ms) and, where the run has enough timed runs for it, LoadGen's early-stopping p90. */
export type MeasuredLatency = LatencyStats & {
  /** LoadGen's early-stopping estimate of the p90 (0.99 confidence); null when too few runs, absent when not computed. */
  p90EarlyStopping?: number | null;
};

/** What a run measured. */
export interface Measures {
  /** Accuracy metrics by name (top1, top5, map, map50, miou, mdice, ...), fractions in [0, 1]. */
  accuracy: Record<string, number>;
  /** Per-image latency statistics, null when latency was not measured. */
  latency: MeasuredLatency | null;
  /**
   * relativeLatency x the track's fixed reference latency, ms per image (the record's calibratedLatency.value):
   * null or absent when the track names no reference with a fixed latency, or the reference was not paired.
   */
  calibratedLatencyMs?: number | null;
  /** Energy of the whole measured run in joules, null when no meter was attached. */
  energyJoules: number | null;
  /** Wall-clock duration of the whole measured run in seconds, when known. */
  durationSeconds?: number | null;
  /** Images processed in `durationSeconds` (a batch target's wall clock), when known. */
  images?: number | null;
  /** Frames per second given directly (lpcv formula --set fps=...); otherwise formulas derive it. */
  fps?: number | null;
  /** Length in seconds of the window `energyJoules` was integrated over (what idle power is multiplied by). */
  energyWindowSeconds?: number | null;
  /** The device's idle power carried by the record: measured before the run, or fixed by the track. */
  idle?: { watts: number; source: 'track' | 'measured' } | null;
}

export type ParamValue = number | string;

export interface ParamSpec {
  description: string;
  /** A parameter without a default must be given. The default's type is the parameter's type. */
  default?: ParamValue;
  /** The parameter's type when it has no default (else the default's type). */
  type?: 'number' | 'string';
  /** The values a string parameter may take. */
  choices?: readonly string[];
  /** A typical value, for a parameter without default (listings, the contract test). */
  example?: ParamValue;
}

/** A measure a formula used, converted to the unit the formula works in. */
export interface InputValue {
  value: number;
  unit: string;
  /** How it was obtained when not measured directly, e.g. `images / duration`. */
  from?: string;
}

/** A measure a formula reads, for listings (`lpcv formulas`). */
export interface InputSpec {
  /** Measure name as `lpcv formula --set` takes it (docs/formulas.md). */
  name: string;
  /** The unit the formula works in. */
  unit: string;
  description: string;
}

export interface FormulaResult {
  formula: string;
  version: number;
  /** The score, higher is better; null when it cannot be computed from these measures (see reason). */
  value: number | null;
  /** Whether the entry qualifies for ranking under this formula's rules. */
  qualified: boolean;
  /** Why value is null or the entry does not qualify. */
  reason?: string;
  /** The measures the formula used, in the units it used them (formulas of the catalog fill it in). */
  inputs?: Record<string, InputValue>;
  /** Measures the formula needed and did not get (value is then null): names as `lpcv formula --set` takes them. */
  missing?: string[];
  /**
   * The statistic of the run's latency the score read (docs/formulas.md, "Which latency statistic"); the first one
   * when it read several (an expression naming two); absent when it read none (energy- or throughput-only).
   */
  statistic?: LatencyStatistic;
}

export interface Formula {
  readonly name: string;
  readonly version: number;
  /** One line for tables and the CLI. */
  readonly title: string;
  /** What it computes, in words and symbols, with units. */
  readonly description: string;
  /** Where the rule comes from (challenge year, page), and what is not confirmed. */
  readonly source: string;
  readonly params: Readonly<Record<string, ParamSpec>>;
  /** The measures it reads (listings); absent on formulas that predate the catalog. */
  readonly inputs?: readonly InputSpec[];
  /**
   * Which statistic of the run's latency the score reads with these (resolved) parameters, or null when it reads
   * none (energy- or throughput-only). A formula that reads latency only where nothing better was measured (fps as
   * 1 / mean latency without a wall clock) names that statistic: the result's `statistic` says whether it did.
   */
  latencyStatistic(params: Readonly<Record<string, ParamValue>>): LatencyStatistic | null;
  /**
   * Checks parameters beyond their types (an expression that does not parse, a choice that needs another
   * parameter), when a track loads: throws LpcvError with `detail.param` naming the parameter.
   */
  checkParams?(params: Readonly<Record<string, ParamValue>>): void;
  /**
   * Computes the score. `params` holds every declared parameter, defaults filled in (computeScore does
   * that). Throws LpcvError LPCV_E_FORMULA_INPUT for an input it needs and cannot find.
   */
  compute(m: Measures, params: Readonly<Record<string, ParamValue>>): FormulaResult;
}
