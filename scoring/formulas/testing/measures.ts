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
