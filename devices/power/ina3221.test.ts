import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { integrateEnergy } from '../../scoring/energy.js';
import { hwmonRailWatts } from './hwmon.js';
import { ina3221IioRails, openIna3221Sampler } from './ina3221.js';
import { describeSamplerContract } from './testing/sampler.contract.js';
import { FakeClock, ManualTimer } from './testing/fake-clock.js';
import { fixtureTree, type FixtureTree } from './testing/sysfs-fixtures.js';

// Jetson Nano on L4T 32.x: NVIDIA's ina3221x IIO driver, milliwatts per channel, rails named rail_name_<c>.
const IIO = 'bus/i2c/drivers/ina3221x/6-0040/iio:device0';
const NANO_L4T32: Record<string, string | number> = {
  [`${IIO}/name`]: 'ina3221x',
  [`${IIO}/rail_name_0`]: 'POM_5V_IN',
  [`${IIO}/in_power0_input`]: 3120,
  [`${IIO}/in_current0_input`]: 624,
  [`${IIO}/in_voltage0_input`]: 5000,
  [`${IIO}/rail_name_1`]: 'POM_5V_GPU',
  [`${IIO}/in_power1_input`]: 400,
  [`${IIO}/in_current1_input`]: 80,
  [`${IIO}/in_voltage1_input`]: 5000,
  [`${IIO}/rail_name_2`]: 'POM_5V_CPU',
  [`${IIO}/in_power2_input`]: 880,
  [`${IIO}/in_current2_input`]: 176,
  [`${IIO}/in_voltage2_input`]: 5000,
  [`${IIO}/crit_current_limit_0`]: 7000,
};

// L4T 34+ (e.g. Xavier NX on JetPack 5): the mainline ina3221 hwmon driver, mV and mA per labelled channel.
const HW = 'bus/i2c/drivers/ina3221/7-0040/hwmon/hwmon3';
const NX_L4T35: Record<string, string | number> = {
  [`${HW}/name`]: 'ina3221',
  [`${HW}/in1_label`]: 'VDD_IN',
  [`${HW}/in1_input`]: 5088,
  [`${HW}/curr1_input`]: 1464,
  [`${HW}/in2_label`]: 'VDD_CPU_GPU_CV',
  [`${HW}/in2_input`]: 5080,
  [`${HW}/curr2_input`]: 360,
  [`${HW}/in3_label`]: 'VDD_SOC',
  [`${HW}/in3_input`]: 5080,
  [`${HW}/curr3_input`]: 560,
  [`${HW}/in4_input`]: 73,
  [`${HW}/curr1_max`]: 7000,
};

function filesUnder(tree: Record<string, string | number>, dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(tree)) if (k.startsWith(`${dir}/`)) out[k.slice(dir.length + 1)] = `${v}\n`;
  return out;
}

describe('INA3221 rails from their files (pure)', () => {
  it('reads the IIO form: in_power<c>_input in milliwatts, named by rail_name_<c>', () => {
    expect(ina3221IioRails(filesUnder(NANO_L4T32, IIO)).map((r) => [r.label, r.watts])).toEqual([
      ['POM_5V_IN', 3.12],
      ['POM_5V_GPU', 0.4],
      ['POM_5V_CPU', 0.88],
    ]);
  });

  it('falls back to in_voltage x in_current when an IIO channel has no power file', () => {
    const rails = ina3221IioRails({ rail_name_0: 'VDD_IN', in_voltage0_input: '19000', in_current0_input: '500' });
    expect(rails.map((r) => [r.channel, r.watts])).toEqual([['in_voltage0', 9.5]]);
  });

  it('reads the hwmon form: in<c>_input (mV) x curr<c>_input (mA), named by in<c>_label; in4 (shunt) is no rail', () => {
    const rails = hwmonRailWatts(filesUnder(NX_L4T35, HW));
    expect(rails.map((r) => r.label)).toEqual(['VDD_IN', 'VDD_CPU_GPU_CV', 'VDD_SOC']);
    expect(rails[0]!.watts).toBeCloseTo(7.448832, 12);
  });
});

describe('openIna3221Sampler', () => {
  let tree: FixtureTree | undefined;
  afterEach(async () => tree?.close());

  it('finds the input rail of either form by itself', async () => {
    tree = await fixtureTree({ ...NANO_L4T32 });
    expect((await openIna3221Sampler({ root: tree.root })).source).toBe('ina3221:POM_5V_IN');
    await tree.close();
    tree = await fixtureTree({ ...NX_L4T35 });
    const s = await openIna3221Sampler({ root: tree.root });
    expect(s.source).toBe('ina3221:VDD_IN');
    expect(s.rail.rail.watts).toBeCloseTo(7.448832, 12);
  });

  it('takes a rail by label, a device by path, or a path with a rail', async () => {
    tree = await fixtureTree({ ...NANO_L4T32 });
    expect((await openIna3221Sampler({ root: tree.root, select: 'pom_5v_gpu' })).source).toBe('ina3221:POM_5V_GPU');
    expect((await openIna3221Sampler({ select: path.join(tree.root, IIO) })).source).toBe('ina3221:POM_5V_IN');
    expect((await openIna3221Sampler({ select: path.join(tree.root, IIO, 'POM_5V_CPU') })).source).toBe('ina3221:POM_5V_CPU');
  });

  it('says there is no sensor, and names the rails there are when the one asked for is absent', async () => {
    tree = await fixtureTree({ 'class/hwmon/hwmon0/name': 'acpitz' });
    await expect(openIna3221Sampler({ root: tree.root })).rejects.toMatchObject({
      code: 'LPCV_E_POWER_NO_SENSOR',
      message: expect.stringContaining('no INA3221'),
    });
    await expect(openIna3221Sampler({ select: path.join(tree.root, 'nowhere') })).rejects.toMatchObject({ code: 'LPCV_E_POWER_NO_SENSOR' });
    await tree.close();
    tree = await fixtureTree({ ...NANO_L4T32 });
    await expect(openIna3221Sampler({ root: tree.root, select: 'VDD_GPU' })).rejects.toMatchObject({ message: expect.stringContaining('POM_5V_GPU') });
  });

  it('samples the rail every 50 ms: energy by hand for an older L4T Nano', async () => {
    tree = await fixtureTree({ ...NANO_L4T32 });
    const clock = new FakeClock(0);
    const timer = new ManualTimer();
    const s = await openIna3221Sampler({ root: tree.root, now: clock.now, timer: timer.timer });
    await s.start();
    clock.advance(50);
    await tree.write({ [`${IIO}/in_power0_input`]: 5120 });
    await timer.fire();
    clock.advance(50);
    const t = await s.stop();
    // (3.12 + 5.12) / 2 x 0.05 + 5.12 x 0.05 = 0.206 + 0.256
    expect(integrateEnergy(t.samples, t.startMs, t.endMs).joules).toBeCloseTo(0.462, 12);
  });
});

async function contractFixture(files: Record<string, string | number>, voltFile: string, currFile: string | undefined) {
  const tree = await fixtureTree(files);
  const clock = new FakeClock(0);
  const timer = new ManualTimer();
  const sampler = await openIna3221Sampler({ root: tree.root, now: clock.now, timer: timer.timer });
  // Power per reading: 5 W at start, then 6 W, 8 W; the stop reading 40 ms after the last one, still 8 W.
  const set = (w: number): Promise<void> => tree.write(currFile ? { [voltFile]: 5000, [currFile]: w * 200 } : { [voltFile]: w * 1000 });
  await set(5);
  return {
    sampler,
    during: async () => {
      for (const w of [6, 8]) {
        clock.advance(50);
        await set(w);
        await timer.fire();
      }
      clock.advance(40);
    },
    rewind: () => set(5),
    // (5 + 6) / 2 x 0.05 + (6 + 8) / 2 x 0.05 + 8 x 0.04 = 0.275 + 0.35 + 0.32
    expectedJoules: 0.945,
    close: () => tree.close(),
  };
}

describeSamplerContract('ina3221 (L4T 32 IIO form, mW)', () => contractFixture({ ...NANO_L4T32 }, `${IIO}/in_power0_input`, undefined));
describeSamplerContract('ina3221 (L4T 34+ hwmon form, mV x mA)', () => contractFixture({ ...NX_L4T35 }, `${HW}/in1_input`, `${HW}/curr1_input`));
