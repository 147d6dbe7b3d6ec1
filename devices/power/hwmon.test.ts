import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { integrateEnergy } from '../../scoring/energy.js';
import { hwmonDeviceFromFiles, hwmonRailWatts, openHwmonSampler, railWatts, selectHwmonRails } from './hwmon.js';
import { describeSamplerContract } from './testing/sampler.contract.js';
import { FakeClock, ManualTimer } from './testing/fake-clock.js';
import { fixtureTree, type FixtureTree } from './testing/sysfs-fixtures.js';
import { errorOf } from '../../test/testing/lpcv-errors.js';

// A board's hwmon class as the kernel lays it out: an INA226 on the 5 V input (power1 in uW, bus voltage in1
// and current curr1 beside it), two IRPS5401 PMBus regulators (pmbus labels), a thermal zone without power,
// and an INA3221 in its hwmon form (bus voltage in mV and current in mA per channel, labelled).
const H = 'class/hwmon';
const BOARD: Record<string, string | number> = {
  [`${H}/hwmon0/name`]: 'ina226',
  [`${H}/hwmon0/in0_input`]: 2,
  [`${H}/hwmon0/in1_input`]: 5000,
  [`${H}/hwmon0/curr1_input`]: 1024,
  [`${H}/hwmon0/power1_input`]: 5123000,
  [`${H}/hwmon1/name`]: 'irps5401',
  [`${H}/hwmon1/in1_input`]: 5010,
  [`${H}/hwmon1/in1_label`]: 'vin',
  [`${H}/hwmon1/power1_input`]: 2500000,
  [`${H}/hwmon1/power1_label`]: 'pin',
  [`${H}/hwmon1/power2_input`]: 1100000,
  [`${H}/hwmon1/power2_label`]: 'pout1',
  [`${H}/hwmon1/power3_input`]: 900000,
  [`${H}/hwmon1/power3_label`]: 'pout2',
  [`${H}/hwmon2/name`]: 'irps5401',
  [`${H}/hwmon2/power1_input`]: 1500000,
  [`${H}/hwmon2/power1_label`]: 'pin',
  [`${H}/hwmon3/name`]: 'cpu_thermal',
  [`${H}/hwmon3/temp1_input`]: 45000,
  [`${H}/hwmon4/name`]: 'ina3221',
  [`${H}/hwmon4/in1_label`]: 'VDD_IN',
  [`${H}/hwmon4/in1_input`]: 5080,
  [`${H}/hwmon4/curr1_input`]: 1270,
  [`${H}/hwmon4/in2_label`]: 'VDD_CPU_GPU_CV',
  [`${H}/hwmon4/in2_input`]: 5072,
  [`${H}/hwmon4/curr2_input`]: 400,
  [`${H}/hwmon4/in4_input`]: 63,
};

function filesOf(prefix: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(BOARD)) if (k.startsWith(`${prefix}/`)) out[k.slice(prefix.length + 1)] = `${v}\n`;
  return out;
}

const devices = ['hwmon0', 'hwmon1', 'hwmon2', 'hwmon3', 'hwmon4'].map((id) => hwmonDeviceFromFiles(`/sys/${H}/${id}`, filesOf(`${H}/${id}`)));

describe('hwmonRailWatts (pure: file contents to watts)', () => {
  it('takes power<N>_input in microwatts when the device has it, not the in/curr pair beside it', () => {
    expect(hwmonRailWatts(filesOf(`${H}/hwmon0`))).toEqual([{ channel: 'power1', kind: 'power', label: undefined, files: ['power1_input'], watts: 5.123 }]);
  });

  it('pairs in<N>_input (mV) with curr<N>_input (mA) otherwise, with the in<N> label; unpaired in<N> is no rail', () => {
    const rails = hwmonRailWatts(filesOf(`${H}/hwmon4`));
    expect(rails.map((r) => [r.channel, r.label, r.files])).toEqual([
      ['in1', 'VDD_IN', ['in1_input', 'curr1_input']],
      ['in2', 'VDD_CPU_GPU_CV', ['in2_input', 'curr2_input']],
    ]);
    expect(rails[0]!.watts).toBeCloseTo(6.4516, 12); // 5.080 V x 1.270 A
    expect(rails[1]!.watts).toBeCloseTo(2.0288, 12);
  });

  it('gives no rails for a device without power channels', () => {
    expect(hwmonRailWatts(filesOf(`${H}/hwmon3`))).toEqual([]);
  });

  it('refuses a value that is not an integer', () => {
    expect(errorOf(() => hwmonRailWatts({ power1_input: 'N/A\n' })).code).toBe('LPCV_E_POWER_VALUE');
  });

  it('railWatts re-reads one rail from just its files', () => {
    expect(railWatts({ channel: 'in1', kind: 'volt-amp' }, { in1_input: '12000', curr1_input: '250' })).toBe(3);
    expect(railWatts({ channel: 'power3', kind: 'power' }, { power3_input: '750000\n' })).toBe(0.75);
  });
});

describe('selectHwmonRails', () => {
  const pick = (sel?: string): string[] => selectHwmonRails(devices, sel).map((r) => `${r.device.id}:${r.rail.channel}:${r.description}`);

  it('selects by device name, by directory with a rail label or channel, and by a bare rail label', () => {
    expect(pick('ina226')).toEqual(['hwmon0:power1:ina226/power1']);
    expect(pick('hwmon1/pout1')).toEqual(['hwmon1:power2:irps5401/pout1']);
    expect(pick('hwmon1/power3')).toEqual(['hwmon1:power3:irps5401/pout2']);
    expect(pick('vdd_in')).toEqual(['hwmon4:in1:ina3221/VDD_IN']);
    expect(pick(`/sys/${H}/hwmon2/pin`)).toEqual(['hwmon2:power1:irps5401/pin']);
  });

  it('sums several terms', () => {
    expect(pick('ina226, hwmon2/pin')).toEqual(['hwmon0:power1:ina226/power1', 'hwmon2:power1:irps5401/pin']);
  });

  it('refuses what is ambiguous or absent, listing the rails there are', () => {
    const several = errorOf(() => pick('hwmon1'));
    expect(several.code).toBe('LPCV_E_POWER_NO_SENSOR');
    expect(several.message).toContain('has 3 rails');
    expect(several.message).toContain('irps5401/pout1 (hwmon1)');
    expect(errorOf(() => pick('irps5401/pin')).message).toContain('2 hwmon devices are called "irps5401"');
    expect(errorOf(() => pick('pin')).message).toContain('is on 2 devices');
    expect(errorOf(() => pick('nvme')).message).toContain('no hwmon device or rail "nvme"');
    expect(errorOf(() => pick('ina226/VCCINT')).message).toContain('has no rail "VCCINT"');
    expect(errorOf(() => pick()).message).toContain('name the hwmon rail');
    expect(errorOf(() => pick('ina226,ina226')).message).toContain('named twice');
    expect(errorOf(() => selectHwmonRails([devices[3]!], 'cpu_thermal')).message).toContain('no hwmon device here measures power');
  });

  it('takes the only rail there is when no selector is given', () => {
    expect(selectHwmonRails([devices[0]!, devices[3]!]).map((r) => r.description)).toEqual(['ina226/power1']);
  });
});

describe('openHwmonSampler', () => {
  let tree: FixtureTree | undefined;
  afterEach(async () => tree?.close());

  it('reads the rail at start, every 50 ms and at stop; energy is the trapezoid over the window', async () => {
    tree = await fixtureTree(BOARD);
    const clock = new FakeClock(0);
    const timer = new ManualTimer();
    const s = await openHwmonSampler({ root: tree.root, select: 'ina226', now: clock.now, timer: timer.timer });
    expect(s.source).toBe('hwmon:ina226/power1');
    await tree.write({ [`${H}/hwmon0/power1_input`]: 5000000 });
    await s.start();
    expect(timer.delays).toEqual([50]);
    for (const uw of [7000000, 6000000]) {
      clock.advance(50);
      await tree.write({ [`${H}/hwmon0/power1_input`]: uw });
      await timer.fire();
    }
    clock.advance(25);
    const trace = await s.stop();
    expect(trace.samples).toEqual([
      { t: 0, watts: 5 },
      { t: 50, watts: 7 },
      { t: 100, watts: 6 },
      { t: 125, watts: 6 },
    ]);
    // (5 + 7) / 2 x 0.05 + (7 + 6) / 2 x 0.05 + 6 x 0.025 = 0.3 + 0.325 + 0.15
    expect(integrateEnergy(trace.samples, trace.startMs, trace.endMs).joules).toBeCloseTo(0.775, 12);
  });

  it('opens a device by its absolute path', async () => {
    tree = await fixtureTree(BOARD);
    const s = await openHwmonSampler({ root: tree.root, select: path.join(tree.root, H, 'hwmon4', 'VDD_IN') });
    expect(s.source).toBe('hwmon:ina3221/VDD_IN');
    expect(s.rails[0]!.rail.watts).toBeCloseTo(6.4516, 12);
  });

  it('says there is no sensor when the tree has no hwmon devices, or the path is not one', async () => {
    tree = await fixtureTree({ 'class/powercap/x': 1 });
    await expect(openHwmonSampler({ root: tree.root })).rejects.toMatchObject({ code: 'LPCV_E_POWER_NO_SENSOR' });
    await expect(openHwmonSampler({ root: tree.root, select: '/nonexistent/hwmon9' })).rejects.toMatchObject({ code: 'LPCV_E_POWER_NO_SENSOR' });
  });

  it('fails the run with LPCV_E_POWER_READ when a rail file vanishes mid-run', async () => {
    tree = await fixtureTree(BOARD);
    const clock = new FakeClock(0);
    const timer = new ManualTimer();
    const s = await openHwmonSampler({ root: tree.root, select: 'VDD_IN', now: clock.now, timer: timer.timer });
    await s.start();
    await tree.remove(`${H}/hwmon4/curr1_input`);
    clock.advance(50);
    await timer.fire();
    await expect(s.stop()).rejects.toMatchObject({ code: 'LPCV_E_POWER_READ' });
  });
});

describeSamplerContract('hwmon (fixture board tree, two rails summed)', async () => {
  const tree = await fixtureTree(BOARD);
  const clock = new FakeClock(0);
  const timer = new ManualTimer();
  const sampler = await openHwmonSampler({ root: tree.root, select: 'ina226,hwmon2/pin', now: clock.now, timer: timer.timer });
  // 5.123 + 1.5 W at start; then 5.5 + 1.5 and 6.0 + 1.5 every 50 ms; stop 50 ms later at 7.5 W:
  // (6.623 + 7) / 2 x 0.05 + (7 + 7.5) / 2 x 0.05 + 7.5 x 0.05 = 0.340575 + 0.3625 + 0.375
  const during = async (): Promise<void> => {
    for (const uw of [5500000, 6000000, 6000000]) {
      clock.advance(50);
      await tree.write({ [`${H}/hwmon0/power1_input`]: uw });
      if (timer.pending) await timer.fire();
    }
  };
  return {
    sampler,
    during,
    rewind: () => tree.write({ [`${H}/hwmon0/power1_input`]: 5123000 }),
    expectedJoules: 1.078075,
    close: () => tree.close(),
  };
});
