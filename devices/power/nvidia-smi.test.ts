import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { integrateEnergy } from '../../scoring/energy.js';
import type { PowerSample } from './power-sampler.js';
import { NvidiaSmiSampler, openNvidiaSmiSampler, parseNvidiaSmiPower } from './nvidia-smi.js';
import { describeSamplerContract } from './testing/sampler.contract.js';
import { FakeClock } from './testing/fake-clock.js';

const STANDIN = fileURLToPath(new URL('./fixtures/nvidia-smi-standin.mjs', import.meta.url));
/** Generous waits where a test is not about timeouts: a loaded CI machine may start node slowly. */
const PATIENT = { startTimeoutMs: 30_000, stopTimeoutMs: 30_000 } as const;

/** A gate folder: the stand-in prints line k once the test opens gate k (or "free"). */
async function gates() {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'lpcv-nvsmi-'));
  return {
    dir,
    open: (k: number | 'free') => writeFile(path.join(dir, String(k)), ''),
    /** Closes every gate but the first. */
    reset: async () => {
      for (const f of ['2', '3', '4', 'free']) await rm(path.join(dir, f), { force: true });
    },
    close: () => rm(dir, { recursive: true, force: true }),
  };
}

function sampleWaiter() {
  const seen: PowerSample[] = [];
  let wake: (() => void) | undefined;
  return {
    seen,
    onSample: (s: PowerSample) => {
      seen.push(s);
      wake?.();
    },
    /** Resolves once n samples have arrived in total (an event, not a sleep). */
    count: (n: number) =>
      new Promise<void>((resolve) => {
        const check = (): void => {
          if (seen.length >= n) {
            wake = undefined;
            resolve();
          }
        };
        wake = check;
        check();
      }),
  };
}

describe('parseNvidiaSmiPower', () => {
  it('reads the watts nvidia-smi prints with nounits (and tolerates a trailing W)', () => {
    expect(parseNvidiaSmiPower('35.27')).toBe(35.27);
    expect(parseNvidiaSmiPower(' 250.00 W\r')).toBe(250);
  });
  it('refuses [N/A], [Not Supported] and garbage with LPCV_E_POWER_VALUE', () => {
    for (const l of ['[N/A]', '[Not Supported]', 'No devices were found', '-3.0', '']) {
      expect(() => parseNvidiaSmiPower(l)).toThrow(expect.objectContaining({ code: 'LPCV_E_POWER_VALUE' }));
    }
  });
});

describe('openNvidiaSmiSampler', () => {
  const cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanup.splice(0)) await c();
  });

  it('integrates the lines around a fake-clock window by hand: 30, 40, 50 W at 0, 100, 200 ms, 60 W after stop at 250', async () => {
    const g = await gates();
    cleanup.push(g.close);
    const clock = new FakeClock(0);
    const w = sampleWaiter();
    const s = await openNvidiaSmiSampler({
      ...PATIENT,
      executable: STANDIN,
      periodMs: 20,
      now: clock.now,
      env: { NVSMI_STANDIN_VALUES: '30.00,40.00,50.00,60.00', NVSMI_STANDIN_GATE: g.dir },
      onSample: w.onSample,
    });
    expect(s.source).toBe('nvidia-smi:gpu0');
    const started = s.start();
    await g.open(1);
    await started;
    for (const [k, t] of [
      [2, 100],
      [3, 200],
    ] as const) {
      clock.t = t;
      await g.open(k);
      await w.count(k);
    }
    clock.t = 250;
    const stopping = s.stop();
    clock.t = 300;
    await g.open(4);
    const trace = await stopping;
    expect(trace.samples).toEqual([
      { t: 0, watts: 30 },
      { t: 100, watts: 40 },
      { t: 200, watts: 50 },
      { t: 300, watts: 60 },
    ]);
    expect([trace.startMs, trace.endMs]).toEqual([0, 250]);
    // (30 + 40) / 2 x 0.1 + (40 + 50) / 2 x 0.1 + (50 + 55) / 2 x 0.05, w(250) = 55 W
    expect(integrateEnergy(trace.samples, trace.startMs, trace.endMs).joules).toBeCloseTo(10.625, 12);
  });

  it('runs at the real period on the real clock: a constant 42.5 W gives 42.5 W x the window', async () => {
    const w = sampleWaiter();
    const s = await openNvidiaSmiSampler({ ...PATIENT, executable: STANDIN, periodMs: 20, env: { NVSMI_STANDIN_VALUES: '42.50' }, onSample: w.onSample });
    await s.start();
    await w.count(4);
    const trace = await s.stop();
    const e = integrateEnergy(trace.samples, trace.startMs, trace.endMs);
    expect(e.joules).toBeCloseTo(42.5 * e.windowSeconds, 9);
    expect(trace.samples.length).toBeGreaterThanOrEqual(5);
    expect(trace.samples[trace.samples.length - 1]!.t).toBeGreaterThanOrEqual(trace.endMs);
  });

  it('says there is no sensor: no executable, no GPU, or a GPU that reports [N/A]', async () => {
    await expect(openNvidiaSmiSampler({ executable: '/nonexistent/nvidia-smi' })).rejects.toMatchObject({
      code: 'LPCV_E_POWER_NO_SENSOR',
      message: expect.stringContaining('not installed'),
    });
    await expect(openNvidiaSmiSampler({ executable: STANDIN, env: { NVSMI_STANDIN_NODEVICE: '1' } })).rejects.toMatchObject({
      code: 'LPCV_E_POWER_NO_SENSOR',
      message: expect.stringContaining('No devices were found'),
    });
    await expect(openNvidiaSmiSampler({ executable: STANDIN, env: { NVSMI_STANDIN_VALUES: '[N/A]' } })).rejects.toMatchObject({
      code: 'LPCV_E_POWER_NO_SENSOR',
      message: expect.stringContaining('[N/A]'),
    });
  });

  it('refuses [N/A] mid-run with LPCV_E_POWER_VALUE', async () => {
    const w = sampleWaiter();
    const s = new NvidiaSmiSampler({ ...PATIENT, executable: STANDIN, periodMs: 10, env: { NVSMI_STANDIN_VALUES: '31.00,32.00,[N/A]' }, onSample: w.onSample });
    await s.start();
    await w.count(2); // the next line, the one stop() waits for, is [N/A]
    await expect(s.stop()).rejects.toMatchObject({ code: 'LPCV_E_POWER_VALUE', message: expect.stringContaining('[N/A]') });
  });

  it('fails the run with LPCV_E_POWER_READ when nvidia-smi exits mid-run', async () => {
    const s = new NvidiaSmiSampler({ ...PATIENT, executable: STANDIN, periodMs: 10, env: { NVSMI_STANDIN_VALUES: '31.00,exit:15' } });
    await s.start();
    await expect(s.stop()).rejects.toMatchObject({ code: 'LPCV_E_POWER_READ', message: expect.stringContaining('Unknown Error') });
  });

  it('does not hang when nvidia-smi stops printing: stop() gives LPCV_E_POWER_TIMEOUT and kills it', async () => {
    const s = new NvidiaSmiSampler({
      startTimeoutMs: 30_000,
      executable: STANDIN,
      periodMs: 10,
      stopTimeoutMs: 300,
      env: { NVSMI_STANDIN_VALUES: '31.00,hang' },
    });
    await s.start();
    await expect(s.stop()).rejects.toMatchObject({ code: 'LPCV_E_POWER_TIMEOUT' });
    // Stopped for good: a second stop is refused, and it can start again.
    await expect(s.stop()).rejects.toMatchObject({ code: 'LPCV_E_POWER_STATE' });
  });

  it('gives LPCV_E_POWER_TIMEOUT when the first line never comes', async () => {
    const s = new NvidiaSmiSampler({ executable: STANDIN, periodMs: 10, startTimeoutMs: 300, env: { NVSMI_STANDIN_VALUES: 'hang' } });
    await expect(s.start()).rejects.toMatchObject({ code: 'LPCV_E_POWER_TIMEOUT' });
    await expect(s.stop()).rejects.toMatchObject({ code: 'LPCV_E_POWER_STATE' });
  });
});

describeSamplerContract('nvidia-smi (stand-in executable, lines gated by the test)', async () => {
  const g = await gates();
  const clock = new FakeClock(0);
  const w = sampleWaiter();
  const env = { NVSMI_STANDIN_VALUES: '30.00,40.00,50.00,60.00', NVSMI_STANDIN_GATE: g.dir };
  const sampler = await openNvidiaSmiSampler({ ...PATIENT, executable: STANDIN, periodMs: 20, now: clock.now, env, onSample: w.onSample });
  // The first line's gate is open: start() sees it at the clock's time.
  await g.open(1);
  return {
    sampler,
    // Lines 2 and 3 at +100 and +200 ms, then free running with the clock held at +250 ms, where stop() closes
    // the window: (30 + 40) / 2 x 0.1 + (40 + 50) / 2 x 0.1 + (50 + 60) / 2 x 0.05 = 3.5 + 4.5 + 2.75
    during: async () => {
      const t0 = clock.t;
      const base = w.seen.length - 1;
      for (const k of [2, 3] as const) {
        clock.t = t0 + 100 * (k - 1);
        await g.open(k);
        await w.count(base + k);
      }
      clock.t = t0 + 250;
      await g.open('free');
      await w.count(base + 4);
    },
    rewind: g.reset,
    expectedJoules: 10.75,
    close: g.close,
  };
});
