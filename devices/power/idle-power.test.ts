import { describe, expect, it } from 'vitest';
import { powerSchema } from '../../harness/tracks/track-schema.js';
import { energyAboveIdle } from '../../scoring/energy.js';
import { energyRecordFromTrace, measureIdle, resolveIdle } from './idle-power.js';
import { PolledSampler } from './polled-sampler.js';
import { FakeClock, ManualTimer } from './testing/fake-clock.js';

/** A polled sampler over a scripted sequence of watts, on a fake clock. */
function scripted(watts: number[]) {
  const clock = new FakeClock(0);
  const timer = new ManualTimer();
  let i = 0;
  const sampler = new PolledSampler({
    source: 'test:scripted',
    periodMs: 100,
    readWatts: async () => watts[Math.min(i++, watts.length - 1)]!,
    now: clock.now,
    timer: timer.timer,
  });
  /** Waits `ms` on the fake clock, firing each read that falls due. */
  const wait = async (ms: number): Promise<void> => {
    const end = clock.t + ms;
    while (clock.t + 100 <= end) {
      clock.advance(100);
      await timer.fire();
    }
    clock.t = end;
  };
  return { sampler, wait, clock };
}

describe('measureIdle', () => {
  it('averages the power over the idle window: 2, 2, 3, 3 W at 0..300 ms (and 3 W at stop) = 2.5 W', async () => {
    const { sampler, wait } = scripted([2, 2, 3, 3]);
    const idle = await measureIdle(sampler, 300, { wait });
    // (2 + 2) / 2 x 0.1 + (2 + 3) / 2 x 0.1 + (3 + 3) / 2 x 0.1 = 0.75 J over 0.3 s
    expect(idle.watts).toBeCloseTo(2.5, 12);
    expect(idle.source).toBe('measured');
    expect(idle.trace.samples.map((x) => [x.t, x.watts])).toEqual([
      [0, 2],
      [100, 2],
      [200, 3],
      [300, 3],
      [300, 3],
    ]);
  });

  it('leaves the sampler stopped and ready for the run', async () => {
    const { sampler, wait } = scripted([1]);
    await measureIdle(sampler, 200, { wait });
    await sampler.start();
    await wait(100);
    expect((await sampler.stop()).samples.length).toBeGreaterThanOrEqual(2);
  });

  it('refuses a non-positive duration', async () => {
    const { sampler } = scripted([1]);
    await expect(measureIdle(sampler, 0)).rejects.toMatchObject({ code: 'LPCV_E_POWER_SPEC' });
  });
});

describe('resolveIdle and the track setting', () => {
  it('takes a fixed figure from the track, or measures it, or has none', async () => {
    expect(await resolveIdle({ watts: 1.961 }, undefined)).toEqual({ watts: 1.961, source: 'track' });
    const { sampler, wait } = scripted([4]);
    expect(await resolveIdle({ measureMs: 500 }, sampler, { wait })).toEqual({ watts: 4, source: 'measured' });
    expect(await resolveIdle(undefined, sampler)).toBeUndefined();
    expect(await resolveIdle({ measureMs: 500 }, undefined)).toBeUndefined();
  });

  it('powerSchema accepts periodMs and one idle form, and refuses the rest', () => {
    expect(powerSchema.parse({ periodMs: 50, idle: { watts: 1.961 } })).toEqual({ periodMs: 50, idle: { watts: 1.961 } });
    expect(powerSchema.parse({ idle: { measureMs: 5000 } })).toEqual({ idle: { measureMs: 5000 } });
    expect(powerSchema.parse({})).toEqual({});
    for (const bad of [
      { idle: { watts: -1 } },
      { idle: { watts: 1, measureMs: 5 } },
      { idle: {} },
      { periodMs: 0 },
      { periodMs: 60001 },
      { sampler: 'rapl' },
    ]) {
      expect(powerSchema.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
    }
  });
});

describe('energyRecordFromTrace', () => {
  const trace = {
    source: 'hwmon:ina226/power1',
    samples: [
      { t: 900, watts: 5 },
      { t: 1100, watts: 5 },
      { t: 2100, watts: 7 },
      { t: 3100, watts: 7 },
    ],
    startMs: 1000,
    endMs: 3000,
  };

  it('records gross joules over exactly the window, the window length, and the idle figure without subtracting it', () => {
    // [1000, 1100]: 5 W x 0.1 s; [1100, 2100]: 6 W x 1 s; [2100, 3000]: 7 W x 0.9 s  = 0.5 + 6 + 6.3
    const r = energyRecordFromTrace(trace, { watts: 1.961, source: 'track' });
    expect(r.joules).toBeCloseTo(12.8, 12);
    expect(r.avgWatts).toBeCloseTo(6.4, 12);
    expect(r.windowSeconds).toBe(2);
    expect(r.sampleCount).toBe(2);
    expect(r.source).toBe('hwmon:ina226/power1');
    expect(r.idle).toEqual({ watts: 1.961, source: 'track' });
    // A formula subtracts: 12.8 - 1.961 x 2.
    expect(energyAboveIdle(r.joules, r.idle!.watts, r.windowSeconds!)).toBeCloseTo(8.878, 12);
  });

  it('has no idle key when the track subtracts none', () => {
    expect('idle' in energyRecordFromTrace(trace)).toBe(false);
  });
});
