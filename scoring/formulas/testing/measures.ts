/** Builds Measures for the formula tests (not used by the formulas themselves). */
import type { LatencyStats } from '../../latency-stats.js';
import type { Measures } from '../types.js';

/** LatencyStats whose every location statistic is `meanMs` (only the mean matters to these formulas). */
export function flatLatency(meanMs: number, count = 100): LatencyStats {
  return {
    unit: 'ms',
    count,
    mean: meanMs,
    std: 0,
    min: meanMs,
    max: meanMs,
    p50: meanMs,
    p90: meanMs,
    p95: meanMs,
    p99: meanMs,
    ci95: [meanMs, meanMs],
  };
}

export function measures(accuracy: Record<string, number>, meanMs: number | null, energyJoules: number | null = null): Measures {
  return { accuracy, latency: meanMs === null ? null : flatLatency(meanMs), energyJoules };
}

/** Measures from named parts: accuracy metrics, latency mean in ms (flat statistics), and the optional fields. */
export function run(
  accuracy: Record<string, number>,
  extra: { latencyMs?: number; energyJoules?: number } & Omit<Partial<Measures>, 'accuracy' | 'latency' | 'energyJoules'> = {},
): Measures {
  const { latencyMs, energyJoules, ...rest } = extra;
  return { ...measures(accuracy, latencyMs ?? null, energyJoules ?? null), ...rest };
}

/**
 * Measures whose latency statistics all differ, so that a test can tell which one a formula read: mean 30 ms,
 * p50 10, p90 40, p95 44, p99 48, min 5, max 60, std 12, LoadGen's early-stopping p90 45; calibrated latency 12.5 ms
 * (absent with `calibratedMs: null`), and an early-stopping p90 of null with `earlyStopping: null`.
 */
export function distinctLatency(
  accuracy: Record<string, number>,
  o: { calibratedMs?: number | null; earlyStopping?: number | null; energyJoules?: number } = {},
): Measures {
  return {
    accuracy,
    latency: {
      unit: 'ms',
      count: 1000,
      mean: 30,
      std: 12,
      min: 5,
      max: 60,
      p50: 10,
      p90: 40,
      p95: 44,
      p99: 48,
      ci95: [9.5, 10.5],
      p90EarlyStopping: o.earlyStopping === undefined ? 45 : o.earlyStopping,
    },
    calibratedLatencyMs: o.calibratedMs === undefined ? 12.5 : o.calibratedMs,
    energyJoules: o.energyJoules ?? null,
  };
}
