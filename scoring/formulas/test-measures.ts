/** Builds Measures for the formula tests (not used by the formulas themselves). */
import type { LatencyStats } from '../latency-stats.js';
import type { Measures } from './types.js';

/** LatencyStats whose every location statistic is `meanMs` (only the mean matters to these formulas). */
export function flatLatency(meanMs: number, count = 100): LatencyStats {
  return {
    unit: 'ms', count, mean: meanMs, std: 0, min: meanMs, max: meanMs,
    p50: meanMs, p90: meanMs, p95: meanMs, p99: meanMs, ci95: [meanMs, meanMs],
  };
}

export function measures(accuracy: Record<string, number>, meanMs: number | null, energyJoules: number | null = null): Measures {
  return { accuracy, latency: meanMs === null ? null : flatLatency(meanMs), energyJoules };
}
