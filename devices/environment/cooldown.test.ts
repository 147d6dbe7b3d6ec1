import { describe, expect, it } from 'vitest';
import { coolDown } from './cooldown.js';
import { FakeGuardClock, ScriptedProbe, snap } from './testing/scripted-environment.js';

/** A board cooling 2 °C a second from 70 °C, read on the fake clock. */
const cooling = (clock: FakeGuardClock) => new ScriptedProbe(() => snap({ thermalC: { soc: 70 - (2 * clock.t) / 1000, board: 40 } }));

describe('coolDown', () => {
  it('pauses for pauseMs without reading the device when no temperature is asked for', async () => {
    const clock = new FakeGuardClock();
    const probe = new ScriptedProbe([]);
    const r = await coolDown(probe, { pauseMs: 5000, maxWaitMs: 120_000 }, clock);
    expect(r).toEqual({ pausedMs: 5000, untilTempC: null, waitedMs: 0, startC: null, endC: null, reached: null });
    expect(clock.sleeps).toEqual([5000]);
    expect(probe.taken).toBe(0);
  });

  it('waits, reading once a second, until the hottest zone is at most untilTempC', async () => {
    const clock = new FakeGuardClock();
    const probe = cooling(clock);
    // 70 -> 60 °C at 2 °C/s: five polls of 1000 ms.
    const r = await coolDown(probe, { untilTempC: 60, maxWaitMs: 120_000 }, clock);
    expect(r).toEqual({ pausedMs: 0, untilTempC: 60, waitedMs: 5000, startC: 70, endC: 60, reached: true });
    expect(clock.sleeps).toEqual([1000, 1000, 1000, 1000, 1000]);
    expect(probe.taken).toBe(6);
  });

  it('pauses first, then waits; gives up at maxWaitMs (the last sleep cut to the time left) and says so', async () => {
    const clock = new FakeGuardClock();
    const r = await coolDown(cooling(clock), { pauseMs: 500, untilTempC: 60, maxWaitMs: 2500 }, clock);
    // The wait starts at t = 500 (69 °C) and ends at t = 3000 (64 °C).
    expect(r).toEqual({ pausedMs: 500, untilTempC: 60, waitedMs: 2500, startC: 69, endC: 64, reached: false });
    expect(clock.sleeps).toEqual([500, 1000, 1000, 500]);
  });

  it('does not wait on a device already cool enough, nor on one without any temperature reading', async () => {
    const clock = new FakeGuardClock();
    expect((await coolDown(cooling(clock), { untilTempC: 75, maxWaitMs: 1000 }, clock)).reached).toBe(true);
    expect(await coolDown(new ScriptedProbe([snap()]), { untilTempC: 75, maxWaitMs: 1000 }, clock)).toMatchObject({ reached: null, waitedMs: 0 });
    expect(clock.sleeps).toEqual([]);
  });

  it("counts a phone's battery as a temperature to wait on", async () => {
    const clock = new FakeGuardClock();
    const probe = new ScriptedProbe((i) => snap({ phone: { thermalStatus: 0, batteryTempC: 38 - i, charging: false } }));
    expect(await coolDown(probe, { untilTempC: 36, maxWaitMs: 60_000 }, clock, { pollMs: 10_000 })).toMatchObject({
      reached: true,
      waitedMs: 20_000,
      endC: 36,
    });
  });

  it('stops waiting when aborted', async () => {
    const clock = new FakeGuardClock();
    const ac = new AbortController();
    ac.abort();
    const r = await coolDown(cooling(clock), { untilTempC: 10, maxWaitMs: 60_000 }, clock, { signal: ac.signal });
    expect(r.reached).toBe(false);
    expect(clock.sleeps).toEqual([]);
  });
});
