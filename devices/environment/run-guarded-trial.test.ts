import { describe, expect, it } from 'vitest';
import { rejectionOf } from '../../test/testing/lpcv-errors.js';
import { runGuardedTrial } from './run-guarded-trial.js';
import { core, FakeGuardClock, ScriptedProbe, snap } from './testing/scripted-environment.js';

/** Snapshots of core 1 around an attempt in which other processes kept it `pct`% busy (100 jiffies elapse). */
const around = (pct: number, t = 0) => [snap({ t, cpu: [core(1, 1000, 5000)] }), snap({ t: t + 1000, cpu: [core(1, 1000 + pct, 5100)] })];

describe('runGuardedTrial (scripted probe, fake clock)', () => {
  it('takes a snapshot before and after the attempt and accepts an undisturbed one', async () => {
    const events: string[] = [];
    const probe = new ScriptedProbe(around(5), events);
    const r = await runGuardedTrial({
      probe,
      guards: { maxOtherBusyPct: 10, repeats: 2 },
      attempt: async () => {
        events.push('attempt');
        return { result: 'timings', ownJiffies: 2.6 };
      },
      clock: new FakeGuardClock(),
    });
    expect(events).toEqual(['snapshot', 'attempt', 'snapshot']);
    expect(r.result).toBe('timings');
    expect(r.refused).toEqual([]);
    expect(r.cooldowns).toEqual([]);
    // own jiffies are whole ticks: 2.6 -> 3, and (5 - 3) / 100 = 2% other.
    expect(r.environment).toEqual({ before: around(5)[0], after: around(5)[1], ownJiffies: 3, verdict: { ok: true, reasons: [] } });
  });

  it('repeats a refused attempt and returns the accepted one with the refused one recorded', async () => {
    const log: string[] = [];
    let n = 0;
    const r = await runGuardedTrial({
      probe: new ScriptedProbe([...around(80), ...around(5, 5000)]),
      guards: { maxOtherBusyPct: 10, repeats: 2 },
      attempt: async (index) => ({ result: `attempt ${index} (${++n})`, ownJiffies: null }),
      what: 'trial 2 of 5',
      clock: new FakeGuardClock(),
      log: (l) => log.push(l),
    });
    expect(r.result).toBe('attempt 1 (2)');
    expect(r.environment.verdict.ok).toBe(true);
    expect(r.environment.before.t).toBe(5000);
    expect(r.refused).toHaveLength(1);
    expect(r.refused[0]!.verdict.reasons).toEqual([
      "core 1 was 80% busy with other processes over the trial, limit 10% (busy in all: 80%; the run's own CPU time unknown, so all of it counted)",
    ]);
    expect(log).toEqual([`trial 2 of 5: attempt 1 of 3 refused by the environment guards: ${r.refused[0]!.verdict.reasons[0]}`]);
  });

  it("fails as the infrastructure's fault after 1 + repeats refused attempts, with every reason", async () => {
    let attempts = 0;
    const e = await rejectionOf(
      runGuardedTrial({
        probe: new ScriptedProbe([...around(50), ...around(60), ...around(70)]),
        guards: { maxOtherBusyPct: 10, repeats: 2 },
        attempt: async () => ({ result: ++attempts, ownJiffies: 0 }),
        what: 'trial 1 of 5',
        clock: new FakeGuardClock(),
      }),
    );
    expect(attempts).toBe(3);
    expect(e.code).toBe('LPCV_E_ENVIRONMENT_DISTURBED');
    expect(e.fault).toBe('infrastructure');
    expect(e.message).toMatch(/^trial 1 of 5: the environment guards refused all 3 attempt\(s\)/);
    expect(e.message).toContain('attempt 3: core 1 was 70% busy');
    expect(e.detail).toEqual({ attempts: 3, reasons: [[expect.stringContaining('50%')], [expect.stringContaining('60%')], [expect.stringContaining('70%')]] });
  });

  it('runs once with repeats 0, and once without guards (recording, refusing nothing)', async () => {
    let attempts = 0;
    const e = await rejectionOf(
      runGuardedTrial({
        probe: new ScriptedProbe(around(50)),
        guards: { maxOtherBusyPct: 10, repeats: 0 },
        attempt: async () => ({ result: ++attempts, ownJiffies: null }),
        clock: new FakeGuardClock(),
      }),
    );
    expect([e.code, attempts]).toEqual(['LPCV_E_ENVIRONMENT_DISTURBED', 1]);
    const r = await runGuardedTrial({
      probe: new ScriptedProbe(around(100)),
      guards: undefined,
      attempt: async () => ({ result: 'x', ownJiffies: null }),
    });
    expect(r.environment.verdict).toEqual({ ok: true, reasons: [] });
    expect(r.environment.after.cpu).toEqual([core(1, 1100, 5100)]);
  });

  it('lets an attempt that throws end the trial at once (a crashing model is not repeated)', async () => {
    let attempts = 0;
    const boom = new Error('model crashed');
    await expect(
      runGuardedTrial({
        probe: new ScriptedProbe(around(0)),
        guards: { maxOtherBusyPct: 10, repeats: 2 },
        attempt: async () => {
          attempts++;
          throw boom;
        },
        clock: new FakeGuardClock(),
      }),
    ).rejects.toBe(boom);
    expect(attempts).toBe(1);
  });

  it('cools down before every attempt and records each cooldown', async () => {
    const events: string[] = [];
    const clock = new FakeGuardClock(events);
    // Each attempt: the cooldown's reading (55 °C, under 60: no wait), then before and after (90 °C after the first).
    const hot = (c: number) => snap({ thermalC: { soc: c } });
    const probe = new ScriptedProbe([hot(55), hot(55), hot(90), hot(55), hot(55), hot(58)], events);
    const r = await runGuardedTrial({
      probe,
      guards: { maxTempC: 85, repeats: 1, cooldown: { pauseMs: 2000, untilTempC: 60, maxWaitMs: 10_000 } },
      attempt: async () => {
        events.push('attempt');
        return { result: 'ok', ownJiffies: null };
      },
      clock,
    });
    expect(events).toEqual(['sleep 2000', 'snapshot', 'snapshot', 'attempt', 'snapshot', 'sleep 2000', 'snapshot', 'snapshot', 'attempt', 'snapshot']);
    expect(r.refused.map((x) => x.verdict.reasons)).toEqual([['thermal zone soc was at 90 °C after the trial, limit 85 °C']]);
    expect(r.cooldowns).toEqual([
      { pausedMs: 2000, untilTempC: 60, waitedMs: 0, startC: 55, endC: 55, reached: true },
      { pausedMs: 2000, untilTempC: 60, waitedMs: 0, startC: 55, endC: 55, reached: true },
    ]);
  });

  it('stops before an attempt once aborted (LPCV_E_RUN_CANCELLED)', async () => {
    const ac = new AbortController();
    ac.abort();
    const e = await rejectionOf(
      runGuardedTrial({ probe: new ScriptedProbe([]), guards: undefined, attempt: async () => ({ result: 1, ownJiffies: null }), signal: ac.signal }),
    );
    expect(e.code).toBe('LPCV_E_RUN_CANCELLED');
  });

  it('takes a judge of its own, told which attempt it judges', async () => {
    const seen: number[] = [];
    const r = await runGuardedTrial({
      probe: new ScriptedProbe([...around(0), ...around(0)]),
      guards: { repeats: 1 },
      attempt: async (i) => ({ result: i, ownJiffies: null }),
      judge: (_b, _a, _own, _g, index) => {
        seen.push(index);
        return index === 0 ? { ok: false, reasons: ['the target said no'] } : { ok: true, reasons: [] };
      },
      clock: new FakeGuardClock(),
    });
    expect([r.result, seen, r.refused[0]!.verdict.reasons]).toEqual([1, [0, 1], ['the target said no']]);
  });
});
