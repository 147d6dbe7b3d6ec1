import type { GuardsSpec } from '../../harness/tracks/track-schema.js';
import type { EnvironmentProbe } from './environment-probe.js';
import type { GuardClock } from './guard-clock.js';
import { hottestC } from './judge-trial.js';

export type CooldownSpec = NonNullable<GuardsSpec['cooldown']>;

/** What a cooldown did before an attempt, for the record. */
export interface CooldownRecord {
  /** The fixed pause, ms. */
  pausedMs: number;
  /** The temperature waited for (`untilTempC`), when the track sets one. */
  untilTempC: number | null;
  /** Time spent reading the device and waiting for it, ms (after the pause; whole ms). */
  waitedMs: number;
  /** The hottest reading (zone or phone battery) when the wait began and when it ended; null when the device shows none. */
  startC: number | null;
  endC: number | null;
  /** true: at or below untilTempC; false: maxWaitMs ran out first (the attempt runs anyway, and maxTempC judges it); null: nothing to wait for. */
  reached: boolean | null;
}

/** How often the temperature is read while waiting. */
export const COOLDOWN_POLL_MS = 1000;

/**
 * Before an attempt: the fixed pause, then (with untilTempC) reading the device until its hottest zone (or a
 * phone's battery) is at most untilTempC, for at most maxWaitMs. A device that does not run cool in time is not
 * refused here: the attempt runs and maxTempC, if set, judges the heat it ends with. A device without any
 * temperature reading has nothing to wait for (reached null). Aborting `signal` ends the waits early.
 */
export async function coolDown(
  probe: EnvironmentProbe,
  spec: CooldownSpec,
  clock: GuardClock,
  o: { signal?: AbortSignal; pollMs?: number } = {},
): Promise<CooldownRecord> {
  const pausedMs = spec.pauseMs ?? 0;
  if (pausedMs > 0) await clock.sleep(pausedMs, o.signal);
  const until = spec.untilTempC ?? null;
  if (until === null) return { pausedMs, untilTempC: null, waitedMs: 0, startC: null, endC: null, reached: null };
  const t0 = clock.now();
  const startC = hottestC(await probe.snapshot());
  let endC = startC;
  let reached: boolean | null = startC === null ? null : startC <= until;
  while (reached === false && !o.signal?.aborted) {
    const left = spec.maxWaitMs - (clock.now() - t0);
    if (left <= 0) break;
    await clock.sleep(Math.min(o.pollMs ?? COOLDOWN_POLL_MS, left), o.signal);
    endC = hottestC(await probe.snapshot());
    reached = endC === null ? null : endC <= until;
  }
  return { pausedMs, untilTempC: until, waitedMs: Math.round(clock.now() - t0), startC, endC, reached };
}
