import { describe, expect, it } from 'vitest';
import { coreList, hottestC, judgeTrial, otherBusy } from './judge-trial.js';
import { core, snap } from './testing/scripted-environment.js';

describe('otherBusy (hand-computed)', () => {
  it("is (busy deltas - own jiffies) / total deltas over the run's cores", () => {
    // core 0: 30 of 100 busy; core 1: 95 of 100; the run's own 25 jiffies: (125 - 25) / 200 = 50%.
    const o = otherBusy(snap({ cpu: [core(0, 1000, 9000), core(1, 500, 9000)] }), snap({ cpu: [core(0, 1030, 9100), core(1, 595, 9100)] }), 25);
    expect(o).toEqual({
      pct: 50,
      cores: [0, 1],
      perCore: [
        { core: 0, busyPct: 30 },
        { core: 1, busyPct: 95 },
      ],
    });
  });

  it('counts all busy time without own jiffies, never goes below 0, and skips cores read once or reset', () => {
    const before = snap({ cpu: [core(0, 1000, 5000), core(1, 900, 5000), core(2, 5000, 9000)] });
    const after = snap({ cpu: [core(0, 1040, 5100), core(2, 10, 20), core(3, 1, 2)] });
    expect(otherBusy(before, after, null)?.pct).toBe(40);
    expect(otherBusy(before, after, 100)?.pct).toBe(0);
    expect(otherBusy(before, after, null)?.cores).toEqual([0]);
  });

  it('is null when no tick elapsed or no core was read on both sides', () => {
    expect(otherBusy(snap({ cpu: [core(0, 5, 10)] }), snap({ cpu: [core(0, 5, 10)] }), null)).toBeNull();
    expect(otherBusy(snap(), snap({ cpu: [core(0, 5, 10)] }), null)).toBeNull();
  });
});

describe('judgeTrial', () => {
  it("refuses another process busy on the run's core, naming the core, the share and the limit", () => {
    // 90 of 100 jiffies busy, 20 of them the run's own: 70% other, over a limit of 50%.
    const v = judgeTrial(snap({ cpu: [core(1, 1000, 5000)] }), snap({ cpu: [core(1, 1090, 5100)] }), 20, { maxOtherBusyPct: 50 });
    expect(v).toEqual({
      ok: false,
      reasons: ["core 1 was 70% busy with other processes over the trial, limit 50% (busy in all: 90%; the run's own 20 jiffies taken off)"],
    });
  });

  it('accepts a share equal to the limit and names several cores as a list when over it', () => {
    const before = snap({ cpu: [core(0, 1000, 9000), core(1, 500, 9000)] });
    const after = snap({ cpu: [core(0, 1030, 9100), core(1, 595, 9100)] });
    expect(judgeTrial(before, after, 25, { maxOtherBusyPct: 50 })).toEqual({ ok: true, reasons: [] });
    expect(judgeTrial(before, after, null, { maxOtherBusyPct: 49.9 }).reasons).toEqual([
      "cores 0-1 were 62.5% busy with other processes over the trial, limit 49.9% (busy in all: core 0 30%, core 1 95%; the run's own CPU time unknown, so all of it counted)",
    ]);
  });

  it("refuses the hottest zone over maxTempC after the trial (not before), and a phone's battery", () => {
    const before = snap({ thermalC: { cpu: 95 } });
    const after = snap({ thermalC: { 'CPU-therm': 70, 'GPU-therm': 81.25 }, phone: { thermalStatus: 1, batteryTempC: 41, charging: false } });
    expect(judgeTrial(before, after, null, { maxTempC: 80 }).reasons).toEqual(['thermal zone GPU-therm was at 81.3 °C after the trial, limit 80 °C']);
    expect(judgeTrial(before, after, null, { maxTempC: 40 }).reasons).toEqual([
      'thermal zone GPU-therm was at 81.3 °C after the trial, limit 40 °C',
      'the battery was at 41 °C after the trial, limit 40 °C',
    ]);
    expect(judgeTrial(before, after, null, { maxTempC: 81.25 }).ok).toBe(true);
    expect(hottestC(after)).toBe(81.25);
    expect(hottestC(snap({ phone: { thermalStatus: null, batteryTempC: 33, charging: null } }))).toBe(33);
    expect(hottestC(snap())).toBeNull();
  });

  it('refuses a core whose frequency after the trial dropped below minFreqPct of its frequency before', () => {
    const before = snap({
      cpufreq: [
        { core: 0, curKHz: 1500000, maxKHz: 1500000, governor: 'ondemand' },
        { core: 1, curKHz: 1479000, maxKHz: 1479000, governor: 'schedutil' },
        { core: 2, curKHz: null, maxKHz: 1500000, governor: null },
      ],
    });
    const after = snap({
      cpufreq: [
        { core: 0, curKHz: 600000, maxKHz: 1500000, governor: 'ondemand' },
        { core: 1, curKHz: 1400000, maxKHz: 1479000, governor: 'schedutil' },
        { core: 2, curKHz: 100, maxKHz: 1500000, governor: null },
        { core: 3, curKHz: 100, maxKHz: 1500000, governor: null },
      ],
    });
    // core 0: 600/1500 = 40%; core 1: 1400/1479 = 94.66%; cores 2 and 3 have no reading before.
    expect(judgeTrial(before, after, null, { minFreqPct: 90 }).reasons).toEqual([
      'core 0 ran at 600 MHz after the trial, 40% of its 1500 MHz before, limit 90%',
    ]);
    expect(judgeTrial(before, after, null, { minFreqPct: 95 }).reasons).toHaveLength(2);
  });

  it('refuses nothing without limits, or when the device exposes none of the readings', () => {
    const before = snap({ cpu: [core(0, 0, 100)] });
    const after = snap({ cpu: [core(0, 100, 200)], thermalC: { hot: 150 } });
    expect(judgeTrial(before, after, null, undefined)).toEqual({ ok: true, reasons: [] });
    expect(judgeTrial(before, after, null, {})).toEqual({ ok: true, reasons: [] });
    expect(judgeTrial(snap(), snap(), null, { maxOtherBusyPct: 0, maxTempC: 1, minFreqPct: 100 })).toEqual({ ok: true, reasons: [] });
  });

  it('gives every broken limit its own reason', () => {
    const v = judgeTrial(
      snap({ cpu: [core(0, 0, 100)], cpufreq: [{ core: 0, curKHz: 1000, maxKHz: 1000, governor: null }] }),
      snap({ cpu: [core(0, 100, 200)], thermalC: { soc: 90 }, cpufreq: [{ core: 0, curKHz: 500, maxKHz: 1000, governor: null }] }),
      0,
      { maxOtherBusyPct: 10, maxTempC: 80, minFreqPct: 90 },
    );
    expect(v.ok).toBe(false);
    expect(v.reasons.map((r) => r.split(' ').slice(0, 3).join(' '))).toEqual(['core 0 was', 'thermal zone soc', 'core 0 ran']);
  });

  it('writes core lists as the kernel does', () => {
    expect(coreList([0, 1, 2, 3, 6, 8, 9])).toBe('0-3,6,8-9');
    expect(coreList([5])).toBe('5');
  });
});
