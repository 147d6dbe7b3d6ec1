import { describe, expect, it } from 'vitest';
import { LpcvError } from '../../errors/lpcv-error.js';
import { Poller } from './poller.js';
import { FakeClock, ManualTimer } from './testing/fake-clock.js';

function setup(read: () => Promise<number>, periodMs = 100) {
  const clock = new FakeClock(5000);
  const timer = new ManualTimer();
  const poller = new Poller({ periodMs, read, now: clock.now, timer: timer.timer });
  return { clock, timer, poller };
}

async function code(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    if (e instanceof LpcvError) return e.code;
    throw e;
  }
  throw new Error('expected a refusal');
}

describe('Poller', () => {
  it('reads at start, once per period, and at stop: the window opens and closes on a reading', async () => {
    let n = 0;
    const { clock, timer, poller } = setup(async () => ++n);
    await poller.start();
    expect(n).toBe(1);
    expect(timer.delays).toEqual([100]);
    for (let i = 0; i < 3; i++) {
      clock.advance(100);
      await timer.fire();
    }
    clock.advance(40);
    const w = await poller.stop();
    expect(w.readings.map((r) => [r.t, r.value])).toEqual([
      [5000, 1],
      [5100, 2],
      [5200, 3],
      [5300, 4],
      [5340, 5],
    ]);
    expect([w.startMs, w.endMs]).toEqual([5000, 5340]);
    expect(timer.pending).toBe(false);
  });

  it('stamps a reading with the midpoint of the clock before and after the read', async () => {
    const clock = new FakeClock(0);
    const timer = new ManualTimer();
    const poller = new Poller({ periodMs: 50, read: async () => (clock.advance(10), 1), now: clock.now, timer: timer.timer });
    await poller.start();
    const w = await poller.stop();
    expect(w.readings.map((r) => r.t)).toEqual([5, 15]);
  });

  it('aims at the fixed grid: a late read shortens the next delay, an overrun reads again at once', async () => {
    const { clock, timer, poller } = setup(async () => 1);
    await poller.start();
    clock.advance(130); // fired 30 ms late
    await timer.fire();
    clock.advance(250); // more than a whole period late
    await timer.fire();
    await poller.stop();
    expect(timer.delays).toEqual([100, 70, 0]);
  });

  it('refuses stop without start, and a second start', async () => {
    const { poller } = setup(async () => 1);
    expect(await code(poller.stop())).toBe('LPCV_E_POWER_STATE');
    await poller.start();
    expect(await code(poller.start())).toBe('LPCV_E_POWER_STATE');
    await poller.stop();
    expect(await code(poller.stop())).toBe('LPCV_E_POWER_STATE');
  });

  it('starts afresh after a stop (idle measurement, then the run)', async () => {
    let n = 0;
    const { clock, poller } = setup(async () => ++n);
    await poller.start();
    await poller.stop();
    clock.advance(1000);
    await poller.start();
    const w = await poller.stop();
    expect(w.readings.map((r) => r.value)).toEqual([3, 4]);
    expect(w.startMs).toBe(6000);
  });

  it('stops polling after a failed read and throws that error from stop()', async () => {
    let n = 0;
    const { clock, timer, poller } = setup(async () => {
      n += 1;
      if (n === 2) throw new LpcvError('LPCV_E_POWER_READ', 'gone');
      return n;
    });
    await poller.start();
    clock.advance(100);
    await timer.fire();
    expect(timer.pending).toBe(false);
    expect(await code(poller.stop())).toBe('LPCV_E_POWER_READ');
    expect(n).toBe(2);
  });

  it('waits for a read in flight before the last read at stop', async () => {
    let release: (() => void) | undefined;
    let n = 0;
    const { clock, timer, poller } = setup(() => {
      n += 1;
      if (n !== 2) return Promise.resolve(n);
      return new Promise<number>((resolve) => (release = () => resolve(2)));
    });
    await poller.start();
    clock.advance(100);
    const fired = timer.fire();
    const stopped = poller.stop();
    release!();
    await fired;
    const w = await stopped;
    expect(w.readings.map((r) => r.value)).toEqual([1, 2, 3]);
    expect(timer.pending).toBe(false);
  });

  it('refuses a first read that fails, and can start again', async () => {
    let fail = true;
    const { poller } = setup(async () => {
      if (fail) throw new LpcvError('LPCV_E_POWER_READ', 'not yet');
      return 1;
    });
    expect(await code(poller.start())).toBe('LPCV_E_POWER_READ');
    fail = false;
    await poller.start();
    expect((await poller.stop()).readings).toHaveLength(2);
  });

  it('refuses a period outside 1 ms .. 60 s', () => {
    expect(() => new Poller({ periodMs: 0, read: async () => 1 })).toThrow(/period/);
    expect(() => new Poller({ periodMs: Number.NaN, read: async () => 1 })).toThrow(/period/);
  });
});
