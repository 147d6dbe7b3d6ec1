import { LpcvError } from '../../errors/lpcv-error.js';

/** The server's device-health settings (docs/devices.md), validated once at start-up and frozen. */
export interface DeviceHealthConfig {
  /** A device not heard from for longer than this is offline (default 120,000 ms: twice the default lease). */
  readonly offlineAfterMs: number;
  /** How often each idle device runs its kind's reference baseline, in ms; null: never (the default). */
  readonly referenceEveryMs: number | null;
  /**
   * Which baseline is a track's reference, by track name (`--reference-baseline track/name`). Empty: the
   * first baseline of each track (track.json `baselines[0]`).
   */
  readonly referenceBaselines: ReadonlyMap<string, string>;
  /** A device whose latest reference p50 differs from its first by this many percent or more is drifted (default 10). */
  readonly driftPct: number;
}

export const DEFAULT_OFFLINE_AFTER_MS = 120_000;
export const DEFAULT_DRIFT_PCT = 10;

export const DEFAULT_DEVICE_HEALTH: DeviceHealthConfig = Object.freeze({
  offlineAfterMs: DEFAULT_OFFLINE_AFTER_MS,
  referenceEveryMs: null,
  referenceBaselines: new Map<string, string>(),
  driftPct: DEFAULT_DRIFT_PCT,
});

export interface DeviceHealthSettings {
  readonly offlineAfterMs?: number;
  readonly referenceEveryMs?: number | null;
  /** `track/baseline` designations. */
  readonly referenceBaselines?: readonly string[];
  readonly driftPct?: number;
}

const positiveWhole = (n: number): boolean => Number.isSafeInteger(n) && n > 0;

/** The settings checked (LPCV_E_USAGE naming the option), defaults filled in. */
export function deviceHealthConfig(s: DeviceHealthSettings = {}): DeviceHealthConfig {
  const offlineAfterMs = s.offlineAfterMs ?? DEFAULT_OFFLINE_AFTER_MS;
  if (!positiveWhole(offlineAfterMs)) throw new LpcvError('LPCV_E_USAGE', `--offline-after-ms must be a whole number of ms > 0, not ${String(offlineAfterMs)}`);
  const referenceEveryMs = s.referenceEveryMs ?? null;
  if (referenceEveryMs !== null && !positiveWhole(referenceEveryMs))
    throw new LpcvError('LPCV_E_USAGE', `--reference-every-min must be a whole number of minutes > 0, not ${String(referenceEveryMs / 60_000)}`);
  const driftPct = s.driftPct ?? DEFAULT_DRIFT_PCT;
  if (!(Number.isFinite(driftPct) && driftPct > 0)) throw new LpcvError('LPCV_E_USAGE', `--drift-pct must be a percentage > 0, not ${String(driftPct)}`);
  const referenceBaselines = new Map<string, string>();
  for (const d of s.referenceBaselines ?? []) {
    const m = /^([^/\s]+)\/([^/\s]+)$/.exec(d);
    if (m === null) throw new LpcvError('LPCV_E_USAGE', `--reference-baseline takes TRACK/BASELINE (e.g. fashion-mnist/linear), not ${JSON.stringify(d)}`);
    if (referenceBaselines.has(m[1]!)) throw new LpcvError('LPCV_E_USAGE', `--reference-baseline names track ${m[1]} twice`);
    referenceBaselines.set(m[1]!, m[2]!);
  }
  return Object.freeze({ offlineAfterMs, referenceEveryMs, referenceBaselines, driftPct });
}
