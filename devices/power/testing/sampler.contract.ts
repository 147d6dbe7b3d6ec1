/**
 * The contract every power sampler passes (docs/power.md): each sampler's test calls
 * `describeSamplerContract` with a fixture that replays its real format (a sysfs tree, a stand-in
 * executable, a local SCPI server, a fake adb shell). What it checks:
 * - stop() without start() and a second start() are refused (LPCV_E_POWER_STATE);
 * - a run's trace covers its window on both sides, its samples are ordered in time, finite and >= 0, and it
 *   names the sampler's source;
 * - the energy of the trace over its window (scoring/energy.ts) equals the fixture's hand-integrated value;
 * - a sampler can be started again after a stop (the idle measurement and the run share one sampler).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { LpcvError } from '../../../errors/lpcv-error.js';
import { integrateEnergy } from '../../../scoring/energy.js';
import type { PowerSampler, PowerTrace } from '../power-sampler.js';

export interface SamplerContractFixture {
  readonly sampler: PowerSampler;
  /** What happens between start() and stop(): advance the fake clock and fire reads, or wait for a tool's lines. */
  readonly during: () => Promise<void>;
  /** Joules over the window of start / during / stop on a fresh fixture, integrated by hand. */
  readonly expectedJoules: number;
  /** Before a second run on the same sampler (e.g. reset the fixture's script); optional. */
  readonly rewind?: () => Promise<void>;
  readonly close?: () => Promise<void>;
}

async function refusedWith(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    if (e instanceof LpcvError) return e.code;
    throw e;
  }
  return 'not refused';
}

function checkTrace(trace: PowerTrace, source: string): void {
  expect(trace.source).toBe(source);
  expect(trace.endMs).toBeGreaterThan(trace.startMs);
  expect(trace.samples.length).toBeGreaterThanOrEqual(2);
  const first = trace.samples[0]!;
  const last = trace.samples[trace.samples.length - 1]!;
  expect(first.t).toBeLessThanOrEqual(trace.startMs);
  expect(last.t).toBeGreaterThanOrEqual(trace.endMs);
  for (let i = 0; i < trace.samples.length; i++) {
    const s = trace.samples[i]!;
    expect(Number.isFinite(s.watts) && s.watts >= 0, `sample ${i}: ${s.watts} W`).toBe(true);
    if (i > 0) expect(s.t, `sample ${i} is out of order`).toBeGreaterThanOrEqual(trace.samples[i - 1]!.t);
  }
}

export function describeSamplerContract(name: string, open: () => Promise<SamplerContractFixture>): void {
  describe(`power sampler contract: ${name}`, () => {
    let fixture: SamplerContractFixture | undefined;
    const fresh = async (): Promise<SamplerContractFixture> => (fixture = await open());
    afterEach(async () => {
      await fixture?.close?.();
      fixture = undefined;
    });

    it('refuses stop() without start()', async () => {
      const f = await fresh();
      expect(await refusedWith(f.sampler.stop())).toBe('LPCV_E_POWER_STATE');
    });

    it('refuses a second start()', async () => {
      const f = await fresh();
      await f.sampler.start();
      expect(await refusedWith(f.sampler.start())).toBe('LPCV_E_POWER_STATE');
      await f.during();
      await f.sampler.stop();
    });

    it('covers its window with ordered, non-negative samples whose energy is the hand-integrated value', async () => {
      const f = await fresh();
      await f.sampler.start();
      await f.during();
      const trace = await f.sampler.stop();
      checkTrace(trace, f.sampler.source);
      const e = integrateEnergy(trace.samples, trace.startMs, trace.endMs);
      expect(e.joules).toBeCloseTo(f.expectedJoules, 6);
    });

    it('starts again after a stop', async () => {
      const f = await fresh();
      await f.sampler.start();
      await f.during();
      await f.sampler.stop();
      await f.rewind?.();
      await f.sampler.start();
      await f.during();
      checkTrace(await f.sampler.stop(), f.sampler.source);
      expect(await refusedWith(f.sampler.stop())).toBe('LPCV_E_POWER_STATE');
    });
  });
}
