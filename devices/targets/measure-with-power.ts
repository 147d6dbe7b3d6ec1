import type { EnergyRecord } from '../../harness/result-record.js';
import { integrateEnergy } from '../../scoring/energy.js';
import type { PowerSample, PowerSampler } from '../power/power-sampler.js';

export interface PoweredResult<T> {
  readonly result: T;
  /** null when there is no sampler. */
  readonly energy: EnergyRecord | null;
  readonly power?: readonly PowerSample[];
}

/**
 * Runs `work` between a sampler's start and stop, and integrates the samples over exactly that window
 * (scoring/energy.ts). Without a sampler, energy is null: the caller says why. When the work fails the
 * sampler is stopped anyway and the work's error is what the caller sees.
 */
export async function measureWithPower<T>(sampler: PowerSampler | undefined, work: () => Promise<T>): Promise<PoweredResult<T>> {
  if (sampler === undefined) return { result: await work(), energy: null };
  await sampler.start();
  let result: T;
  try {
    result = await work();
  } catch (e) {
    await sampler.stop().catch(() => undefined);
    throw e;
  }
  const trace = await sampler.stop();
  const e = integrateEnergy(trace.samples, trace.startMs, trace.endMs);
  return {
    result,
    energy: { joules: e.joules, avgWatts: e.avgWatts, source: trace.source, sampleCount: e.sampleCount, windowSeconds: e.windowSeconds },
    power: trace.samples,
  };
}
