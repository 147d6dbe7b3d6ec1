import type { EnergyRecord } from '../../harness/result-record.js';
import type { IdlePowerSpec } from '../../harness/tracks/track-schema.js';
import { energyRecordFromTrace, resolveIdle } from '../power/idle-power.js';
import type { PowerSample, PowerSampler } from '../power/power-sampler.js';

export interface PoweredResult<T> {
  readonly result: T;
  /** null when there is no sampler. */
  readonly energy: EnergyRecord | null;
  readonly power?: readonly PowerSample[];
}

/**
 * Runs `work` between a sampler's start and stop, and integrates the samples over exactly that window
 * (devices/power/idle-power.ts energyRecordFromTrace: gross joules, the window, the idle figure beside).
 * With `idle` from the track, the idle figure is the track's watts, or measured with the same sampler
 * for `measureMs` before the run starts (docs/power.md). Without a sampler, energy is null: the caller
 * says why. When the work fails the sampler is stopped anyway and the work's error is what the caller sees.
 */
export async function measureWithPower<T>(sampler: PowerSampler | undefined, work: () => Promise<T>, idle?: IdlePowerSpec): Promise<PoweredResult<T>> {
  if (sampler === undefined) return { result: await work(), energy: null };
  const idleFigure = await resolveIdle(idle, sampler);
  await sampler.start();
  let result: T;
  try {
    result = await work();
  } catch (e) {
    await sampler.stop().catch(() => undefined);
    throw e;
  }
  const trace = await sampler.stop();
  return { result, energy: energyRecordFromTrace(trace, idleFigure), power: trace.samples };
}
