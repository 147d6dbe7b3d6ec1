/**
 * The score-formula plugin interface. A formula turns measured accuracy, latency and energy into one score;
 * each has a stable name and an integer version, and a published formula never changes: a change is a new
 * version, so old results stay reproducible.
 */
import type { LatencyStats } from '../latency-stats.js';

/** What a run measured. */
export interface Measures {
  /** Accuracy metrics by name (top1, top5, map, map50, miou, mdice, ...), fractions in [0, 1]. */
  accuracy: Record<string, number>;
  /** Per-image latency statistics, null when latency was not measured. */
  latency: LatencyStats | null;
  /** Energy of the whole measured run in joules, null when no meter was attached. */
  energyJoules: number | null;
  /** Wall-clock duration of the whole measured run in seconds, when known. */
  durationSeconds?: number | null;
}

export type ParamValue = number | string;

export interface ParamSpec {
  description: string;
  /** A parameter without a default must be given. The default's type is the parameter's type. */
  default?: ParamValue;
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
  /**
   * Computes the score. `params` holds every declared parameter, defaults filled in (computeScore does
   * that). Throws LpcvError LPCV_E_FORMULA_INPUT for an input it needs and cannot find.
   */
  compute(m: Measures, params: Readonly<Record<string, ParamValue>>): FormulaResult;
}
