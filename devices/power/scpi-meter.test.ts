import { afterEach, describe, expect, it } from 'vitest';
import { integrateEnergy } from '../../scoring/energy.js';
import { describeSamplerContract } from './testing/sampler.contract.js';
import { openScpiMeterSampler, parseScpiNumber } from './scpi-meter.js';
import { FakeClock, ManualTimer } from './testing/fake-clock.js';
import { startWt310Standin as fakeMeter } from './testing/wt310-standin.js';

describe('parseScpiNumber', () => {
  it('reads <NR3> values', () => {
    expect(parseScpiNumber('1.2345E+00')).toBe(1.2345);
    expect(parseScpiNumber('12.345E+00\r')).toBe(12.345);
    expect(parseScpiNumber('-0.0021E+03')).toBe(-2.1);
  });
  it('refuses NAN, INF and their 9.9E+37 sentinels, and garbage', () => {
    for (const r of ['NAN', 'INF', '-INF', '9.91E+37', '9.9E+37', ':NUM:NORM:VAL 1.2E+00', '']) {
      expect(() => parseScpiNumber(r)).toThrow(expect.objectContaining({ code: 'LPCV_E_POWER_VALUE' }));
    }
    expect(() => parseScpiNumber('INF')).toThrow(/over range/);
  });
});

describe('openScpiMeterSampler', () => {
  const cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanup.splice(0)) await c();
  });

  it('configures the meter for P of element 1 and integrates its replies by hand', async () => {
    // The open probe takes the first value; then 10, 12, 14 W at 0, 200, 400 ms and 11 W at stop (500 ms):
    // (10 + 12) / 2 x 0.2 + (12 + 14) / 2 x 0.2 + (14 + 11) / 2 x 0.1 = 2.2 + 2.6 + 1.25 = 6.05 J
    const meter = await fakeMeter({ values: [9.5, 10, 12, 14, 11] });
    cleanup.push(meter.close);
    const clock = new FakeClock(0);
    const timer = new ManualTimer();
    const s = await openScpiMeterSampler({ host: '127.0.0.1', port: meter.port, timeoutMs: 30_000, periodMs: 200, now: clock.now, timer: timer.timer });
    cleanup.push(() => s.close());
    expect(s.source).toBe(`scpi:WT310@127.0.0.1:${meter.port}`);
    expect(s.identity).toBe('YOKOGAWA,WT310,C2QD00001,F1.03');
    expect(meter.received.slice(0, 6)).toEqual([
      '*IDN?',
      ':COMMunicate:HEADer OFF',
      ':NUMeric:FORMat ASCii',
      ':NUMeric:NORMal:NUMber 1',
      ':NUMeric:NORMal:ITEM1 P,1',
      ':NUMeric:NORMal:VALue? 1',
    ]);
    await s.start();
    for (let k = 0; k < 2; k++) {
      clock.advance(200);
      await timer.fire();
    }
    clock.advance(100);
    const trace = await s.stop();
    expect(trace.samples.map((x) => [x.t, x.watts])).toEqual([
      [0, 10],
      [200, 12],
      [400, 14],
      [500, 11],
    ]);
    expect(integrateEnergy(trace.samples, trace.startMs, trace.endMs).joules).toBeCloseTo(6.05, 12);
  });

  it('refuses an overrange (INF) or no-data (NAN) reading mid-run', async () => {
    for (const bad of ['INF', 'NAN']) {
      const meter = await fakeMeter({ values: [5, 5, bad] });
      cleanup.push(meter.close);
      const clock = new FakeClock(0);
      const timer = new ManualTimer();
      const s = await openScpiMeterSampler({ host: '127.0.0.1', port: meter.port, timeoutMs: 30_000, now: clock.now, timer: timer.timer });
      cleanup.push(() => s.close());
      await s.start();
      clock.advance(250);
      await timer.fire();
      await expect(s.stop()).rejects.toMatchObject({ code: 'LPCV_E_POWER_VALUE', message: expect.stringContaining(bad) });
    }
  });

  it('does not hang on a meter that stops answering: LPCV_E_POWER_TIMEOUT, and the next start() reconnects', async () => {
    const meter = await fakeMeter({ values: [5, 6, 7], after: { count: 2, then: 'silent' } });
    cleanup.push(meter.close);
    const clock = new FakeClock(0);
    const timer = new ManualTimer();
    const s = await openScpiMeterSampler({ host: '127.0.0.1', port: meter.port, timeoutMs: 300, now: clock.now, timer: timer.timer });
    cleanup.push(() => s.close());
    await s.start(); // the second value; the third query gets no answer
    clock.advance(250);
    await timer.fire();
    const err = await s.stop().catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'LPCV_E_POWER_TIMEOUT', message: expect.stringContaining('did not answer :NUMeric:NORMal:VALue? 1 within 300 ms') });
    // The stand-in answers again after a reconnect: a new run works.
    meter.rewind();
    await s.start();
    expect(meter.received.filter((l) => l === '*IDN?')).toHaveLength(2);
    clock.advance(100);
    expect((await s.stop()).samples).toHaveLength(2);
  });

  it('gives LPCV_E_POWER_READ when the meter hangs up mid-run', async () => {
    const meter = await fakeMeter({ values: [5], after: { count: 2, then: 'hangup' } });
    cleanup.push(meter.close);
    const clock = new FakeClock(0);
    const timer = new ManualTimer();
    const s = await openScpiMeterSampler({ host: '127.0.0.1', port: meter.port, timeoutMs: 30_000, now: clock.now, timer: timer.timer });
    await s.start();
    clock.advance(250);
    await timer.fire();
    await expect(s.stop()).rejects.toMatchObject({ code: 'LPCV_E_POWER_READ', message: expect.stringContaining('closed the connection') });
  });

  it('says there is no sensor when nothing listens, or the meter does not answer at open', async () => {
    const gone = await fakeMeter({ values: [1] });
    await gone.close();
    await expect(openScpiMeterSampler({ host: '127.0.0.1', port: gone.port })).rejects.toMatchObject({ code: 'LPCV_E_POWER_NO_SENSOR' });
    const mute = await fakeMeter({ values: [1], after: { count: 0, then: 'silent' } });
    cleanup.push(mute.close);
    await expect(openScpiMeterSampler({ host: '127.0.0.1', port: mute.port, timeoutMs: 200 })).rejects.toMatchObject({
      code: 'LPCV_E_POWER_NO_SENSOR',
      message: expect.stringMatching(/did not answer :NUMeric:NORMal:VALue\? 1|no power meter answered at/),
    });
  });
});

describeSamplerContract('scpi meter (WT310 stand-in on 127.0.0.1)', async () => {
  const meter = await fakeMeter({ values: [9.5, 10, 12, 14, 11] });
  const clock = new FakeClock(0);
  const timer = new ManualTimer();
  const sampler = await openScpiMeterSampler({ host: '127.0.0.1', port: meter.port, timeoutMs: 30_000, periodMs: 200, now: clock.now, timer: timer.timer });
  return {
    sampler,
    during: async () => {
      for (let k = 0; k < 2; k++) {
        clock.advance(200);
        await timer.fire();
      }
      clock.advance(100);
    },
    rewind: async () => meter.rewind(),
    expectedJoules: 6.05,
    close: async () => {
      await sampler.close();
      await meter.close();
    },
  };
});
