/**
 * Idle power and the energy record. The 2020 and 2021 UAV tracks subtracted a fixed idle figure (1.961 W x t);
 * a track here says either a fixed figure (`power.idle.watts`) or that idle is measured on the device just
 * before each run (`power.idle.measureMs`), which follows the device instead of a constant.
 *
 * The record never subtracts: `joules` is the gross energy over the window, and the idle figure and the window
 * length sit beside it, so a formula computes energy above idle (scoring/energy.ts energyAboveIdle) and a
 * re-score can change its mind later without re-running the device.
 */
import { LpcvError } from '../../errors/lpcv-error.js';
import type { EnergyRecord } from '../../harness/result-record.js';
import type { IdlePowerSpec } from '../../harness/tracks/track-schema.js';
import { integrateEnergy } from '../../scoring/energy.js';
import type { PowerSampler, PowerTrace } from './power-sampler.js';

export interface IdleFigure {
  readonly watts: number;
  readonly source: 'track' | 'measured';
}

export interface MeasuredIdle extends IdleFigure {
  readonly source: 'measured';
  readonly trace: PowerTrace;
}

export interface MeasureIdleOptions {
  /** Waits `ms` (default setTimeout); tests pass one that advances a fake clock and fires reads. */
  readonly wait?: (ms: number) => Promise<void>;
}

const realWait = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Average power over `ms` of doing nothing: start, wait, stop, integrate. */
export async function measureIdle(sampler: PowerSampler, ms: number, o: MeasureIdleOptions = {}): Promise<MeasuredIdle> {
  if (!(Number.isFinite(ms) && ms > 0)) throw new LpcvError('LPCV_E_POWER_SPEC', `an idle measurement needs a positive duration, got ${ms} ms`);
  await sampler.start();
  try {
    await (o.wait ?? realWait)(ms);
  } catch (e) {
    await sampler.stop().catch(() => undefined);
    throw e;
  }
  const trace = await sampler.stop();
  const e = integrateEnergy(trace.samples, trace.startMs, trace.endMs);
  return { watts: e.avgWatts, source: 'measured', trace };
}

/** The track's idle setting to a figure: fixed, measured now on `sampler`, or none. */
export async function resolveIdle(
  spec: IdlePowerSpec | undefined,
  sampler: PowerSampler | undefined,
  o: MeasureIdleOptions = {},
): Promise<IdleFigure | undefined> {
  if (spec === undefined) return undefined;
  if ('watts' in spec) return { watts: spec.watts, source: 'track' };
  if (sampler === undefined) return undefined;
  const m = await measureIdle(sampler, spec.measureMs, o);
  return { watts: m.watts, source: m.source };
}

/** The result record's energy for a trace: gross joules over exactly its window, with the idle figure beside. */
export function energyRecordFromTrace(trace: PowerTrace, idle?: IdleFigure): EnergyRecord {
  const e = integrateEnergy(trace.samples, trace.startMs, trace.endMs);
  return {
    joules: e.joules,
    avgWatts: e.avgWatts,
    source: trace.source,
    sampleCount: e.sampleCount,
    windowSeconds: e.windowSeconds,
    ...(idle ? { idle: { watts: idle.watts, source: idle.source } } : {}),
  };
}
