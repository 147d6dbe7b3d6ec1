/**
 * Energy from power samples: trapezoidal integration over exactly the measured window, as MLPerf Power
 * integrates a meter's samples between the run's begin and end timestamps. Pure functions.
 *
 * Samples are (t in ms, watts). The power curve is taken as the straight line between consecutive samples;
 * at the window's edges it is cut by linear interpolation between the samples around the edge, so a sample
 * taken 30 ms before the run started counts only for the part of its segment inside the window. Before the
 * first sample or after the last one nothing is known, so nothing is extrapolated: a window that is not
 * covered by samples on both sides is refused (the caller's sampler must read once at start and at stop).
 */
import { LpcvError } from '../errors/lpcv-error.js';

export interface PowerPoint {
  readonly t: number;
  readonly watts: number;
}

export interface IntegratedEnergy {
  /** Joules over [startMs, endMs]. */
  readonly joules: number;
  /** joules / window seconds. */
  readonly avgWatts: number;
  readonly windowSeconds: number;
  /** Samples that fall inside the window (edges included). */
  readonly sampleCount: number;
}

function wattsAt(a: PowerPoint, b: PowerPoint, t: number): number {
  if (b.t === a.t) return (a.watts + b.watts) / 2;
  return a.watts + ((b.watts - a.watts) * (t - a.t)) / (b.t - a.t);
}

/**
 * Integrates `samples` (any order; sorted here by t) over [startMs, endMs]. Throws LPCV_E_POWER_SAMPLES when
 * a sample is not finite or negative, when the window is empty or reversed, or when the samples do not
 * cover the window (first sample after startMs or last before endMs).
 */
export function integrateEnergy(samples: readonly PowerPoint[], startMs: number, endMs: number): IntegratedEnergy {
  if (!(Number.isFinite(startMs) && Number.isFinite(endMs) && endMs > startMs)) {
    throw new LpcvError('LPCV_E_POWER_SAMPLES', `the power window must have end > start, got [${startMs}, ${endMs}] ms`);
  }
  for (const s of samples) {
    if (!(Number.isFinite(s.t) && Number.isFinite(s.watts) && s.watts >= 0)) {
      throw new LpcvError('LPCV_E_POWER_SAMPLES', `a power sample is not a finite, non-negative reading: t=${s.t} ms, ${s.watts} W`);
    }
  }
  const sorted = [...samples].sort((a, b) => a.t - b.t);
  const first = sorted[0];
  const last = sorted[sorted.length - 1];
  if (first === undefined || last === undefined || first.t > startMs || last.t < endMs) {
    const span = first === undefined || last === undefined ? 'no samples' : `samples span [${first.t}, ${last.t}] ms`;
    throw new LpcvError('LPCV_E_POWER_SAMPLES', `the power samples do not cover the measured window [${startMs}, ${endMs}] ms (${span})`);
  }
  let joules = 0;
  let inside = 0;
  for (let i = 0; i < sorted.length; i++) {
    const s = sorted[i]!;
    if (s.t >= startMs && s.t <= endMs) inside += 1;
    if (i === 0) continue;
    const a = sorted[i - 1]!;
    const lo = Math.max(a.t, startMs);
    const hi = Math.min(s.t, endMs);
    if (hi <= lo) continue;
    const wLo = wattsAt(a, s, lo);
    const wHi = wattsAt(a, s, hi);
    joules += ((wLo + wHi) / 2) * ((hi - lo) / 1000);
  }
  const windowSeconds = (endMs - startMs) / 1000;
  return { joules, avgWatts: joules / windowSeconds, windowSeconds, sampleCount: inside };
}

/**
 * Energy above idle: gross joules minus idle watts times the window, as the 2020 and 2021 UAV video tracks
 * subtracted 1.961 W x t. Not clamped: a result below zero says the idle figure is wrong, and the caller
 * (a formula) decides what that means.
 */
export function energyAboveIdle(joules: number, idleWatts: number, windowSeconds: number): number {
  return joules - idleWatts * windowSeconds;
}
