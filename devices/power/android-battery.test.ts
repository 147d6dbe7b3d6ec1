import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { integrateEnergy } from '../../scoring/energy.js';
import { batteryCommand, openAndroidBatterySampler, parseBatteryReading, type DeviceShell } from './android-battery.js';
import { describeSamplerContract } from './testing/sampler.contract.js';
import { FakeClock, ManualTimer } from './testing/fake-clock.js';

function replay(name: string): string[] {
  return readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '' && !l.startsWith('#'))
    .map((l) => l.trim().split(/\s+/).join('\r\n') + '\r\n'); // adb shell on a pty ends lines with \r\n
}

/** A device shell that answers the battery `cat` from a fixture sequence, and records what it was asked. */
function fakeShell(answers: string[]): DeviceShell & { calls: string[][] } {
  let i = 0;
  const calls: string[][] = [];
  const shell = async (args: string[]): Promise<string> => {
    calls.push(args);
    const a = answers[i++];
    if (a === undefined) throw new Error('adb: device offline');
    return a;
  };
  return Object.assign(shell, { calls });
}

// Reads at 0, 250, 500 ms and the stop read at 600 ms:
//   4.62 W, 5.76 W, 5.383 W, 3.86 W  ->  (4.62 + 5.76) / 2 x 0.25 + (5.76 + 5.383) / 2 x 0.25 + (5.383 + 3.86) / 2 x 0.1
const JOULES = 1.2975 + 1.392875 + 0.46215;

async function run(fixture: string) {
  const shell = fakeShell(replay(fixture));
  const clock = new FakeClock(0);
  const timer = new ManualTimer();
  const s = await openAndroidBatterySampler({ shell, now: clock.now, timer: timer.timer });
  const during = async (): Promise<void> => {
    for (let k = 0; k < 2; k++) {
      clock.advance(250);
      await timer.fire();
    }
    clock.advance(100);
  };
  return { shell, clock, timer, s, during };
}

describe('parseBatteryReading', () => {
  it('reads microamps, microvolts and the status, with \\r\\n line ends', () => {
    expect(parseBatteryReading('-1200000\r\n3850000\r\nDischarging\r\n')).toEqual({ currentUa: -1200000, voltageUv: 3850000, status: 'Discharging' });
  });
  it('refuses a voltage that is not microvolts of a battery, and output that is not three values', () => {
    expect(() => parseBatteryReading('-1200\n3850\nDischarging\n')).toThrow(/not a battery voltage in microvolts/);
    expect(() => parseBatteryReading('-1200000\n3850000\n')).toThrow(/expected current_now, voltage_now and status/);
  });
  it('says there is no sensor when cat cannot read the files', () => {
    expect(() => parseBatteryReading('cat: /sys/class/power_supply/battery/current_now: No such file or directory\n')).toThrow(
      expect.objectContaining({ code: 'LPCV_E_POWER_NO_SENSOR' }),
    );
  });
});

describe('openAndroidBatterySampler', () => {
  for (const [fixture, sign] of [
    ['android-battery-negative-discharge.txt', -1],
    ['android-battery-positive-discharge.txt', 1],
  ] as const) {
    it(`decides the discharge sign from the first reading (${fixture}) and integrates |I| x V`, async () => {
      const { shell, s, during } = await run(fixture);
      expect(s.dischargeSign).toBe(sign);
      await s.start();
      await during();
      const t = await s.stop();
      expect(t.samples.map((x) => x.watts)).toEqual([4.62, 5.76, 5.383, 3.86].map((w) => expect.closeTo(w, 12)));
      expect(integrateEnergy(t.samples, t.startMs, t.endMs).joules).toBeCloseTo(JOULES, 12);
      expect(shell.calls).toHaveLength(5);
      expect(shell.calls[0]).toEqual(batteryCommand());
      expect(shell.calls[0]).toEqual([
        'cat',
        '/sys/class/power_supply/battery/current_now',
        '/sys/class/power_supply/battery/voltage_now',
        '/sys/class/power_supply/battery/status',
      ]);
    });
  }

  it('refuses a phone that is charging, full or on a cable at open', async () => {
    for (const status of ['Charging', 'Full', 'Not charging']) {
      const shell = fakeShell([`500000\n4350000\n${status}\n`]);
      await expect(openAndroidBatterySampler({ shell })).rejects.toMatchObject({ code: 'LPCV_E_POWER_CHARGING', message: expect.stringContaining(status) });
    }
  });

  it('fails the run when the phone starts charging, or the current changes sign mid-run', async () => {
    const clock = new FakeClock(0);
    for (const second of ['-900000\n4100000\nCharging\n', '+300000\n4100000\nDischarging\n']) {
      const timer = new ManualTimer();
      const shell = fakeShell(['-1000000\n3900000\nDischarging\n', '-1000000\n3900000\nDischarging\n', second]);
      const s = await openAndroidBatterySampler({ shell, now: clock.now, timer: timer.timer });
      await s.start();
      clock.advance(250);
      await timer.fire();
      await expect(s.stop()).rejects.toMatchObject({ code: 'LPCV_E_POWER_CHARGING' });
    }
  });

  it('fails the run with LPCV_E_POWER_READ when the device shell fails, and reports no sensor when it fails at open', async () => {
    await expect(openAndroidBatterySampler({ shell: fakeShell([]) })).rejects.toMatchObject({ code: 'LPCV_E_POWER_NO_SENSOR' });
    const clock = new FakeClock(0);
    const timer = new ManualTimer();
    const s = await openAndroidBatterySampler({
      shell: fakeShell(['-1\n3900000\nDischarging\n', '-1\n3900000\nDischarging\n']),
      now: clock.now,
      timer: timer.timer,
    });
    await s.start();
    clock.advance(250);
    await timer.fire();
    await expect(s.stop()).rejects.toMatchObject({ code: 'LPCV_E_POWER_READ', message: expect.stringContaining('device offline') });
  });
});

describeSamplerContract('android battery (fake adb shell replaying a fixture)', async () => {
  const answers = replay('android-battery-negative-discharge.txt');
  // The contract runs twice on one sampler: replay the run's four reads again after the first.
  const shell = fakeShell([...answers, ...answers.slice(1)]);
  const clock = new FakeClock(0);
  const timer = new ManualTimer();
  const sampler = await openAndroidBatterySampler({ shell, now: clock.now, timer: timer.timer });
  return {
    sampler,
    during: async () => {
      for (let k = 0; k < 2; k++) {
        clock.advance(250);
        await timer.fire();
      }
      clock.advance(100);
    },
    expectedJoules: JOULES,
  };
});
