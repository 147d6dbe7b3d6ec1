/** One finished reference run of a device, oldest first. */
export interface ReferenceResult {
  readonly track: string;
  readonly baseline: string;
  readonly sha256: string;
  readonly p50Ms: number;
  readonly finishedAt: number;
}

export interface DeviceDrift {
  readonly track: string;
  readonly baseline: string;
  /** The device's first reference median for this model: its reference point. */
  readonly referenceP50Ms: number;
  /** Its latest. */
  readonly latestP50Ms: number;
  /** (latest - reference) / reference, in percent: positive when the device got slower. */
  readonly changePct: number;
  readonly thresholdPct: number;
  /** |changePct| >= thresholdPct. */
  readonly drifted: boolean;
  /** Finished reference runs of this model on the device. */
  readonly runs: number;
  readonly latestAt: number;
}

/**
 * A device's drift (docs/devices.md): its latest reference median against its first one of the same model
 * (same track, baseline and artifact bytes; a new baseline file starts a new reference point). The first run
 * is the reference point rather than the median of earlier runs, so that a slow creep is not absorbed into
 * the comparison. Either direction counts: a faster device changed too (e.g. a clock governor). At the
 * threshold counts as drifted. Undefined without any finished run.
 */
export function deviceDrift(results: readonly ReferenceResult[], thresholdPct: number): DeviceDrift | undefined {
  const latest = results.at(-1);
  if (latest === undefined) return undefined;
  const same = results.filter((r) => r.track === latest.track && r.baseline === latest.baseline && r.sha256 === latest.sha256);
  const first = same[0]!;
  const change = latest.p50Ms - first.p50Ms;
  return {
    track: latest.track,
    baseline: latest.baseline,
    referenceP50Ms: first.p50Ms,
    latestP50Ms: latest.p50Ms,
    changePct: first.p50Ms > 0 ? (change / first.p50Ms) * 100 : 0,
    thresholdPct,
    // At the threshold must not fall below it by a rounding error: 3.3 ms against 3 ms is 9.999999999999993%
    // in binary floating point. One part in a billion of slack is far below anything a device measures.
    drifted: first.p50Ms > 0 ? Math.abs(change) * 100 >= thresholdPct * first.p50Ms * (1 - 1e-9) : latest.p50Ms > 0,
    runs: same.length,
    latestAt: latest.finishedAt,
  };
}
