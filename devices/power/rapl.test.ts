import { afterEach, describe, expect, it } from 'vitest';
import { LpcvError } from '../../errors/lpcv-error.js';
import { integrateEnergy } from '../../scoring/energy.js';
import { openRaplSampler, raplDeltaUj, raplSamples } from './rapl.js';
import { describeSamplerContract } from './testing/sampler.contract.js';
import { FakeClock, ManualTimer } from './testing/fake-clock.js';
import { fixtureTree, type FixtureTree } from './testing/sysfs-fixtures.js';

// max_energy_range_uj as a Skylake desktop shows it (2^32 x 61.035 uJ).
const MAX = 262143328850;
const PKG = 'class/powercap/intel-rapl:0';

async function raplTree(energyUj: number): Promise<FixtureTree> {
  return fixtureTree({
    [`${PKG}/name`]: 'package-0',
    [`${PKG}/energy_uj`]: energyUj,
    [`${PKG}/max_energy_range_uj`]: MAX,
    [`${PKG}/enabled`]: 1,
    'class/powercap/intel-rapl:0:0/name': 'core',
    'class/powercap/intel-rapl:0:0/energy_uj': 1000,
    'class/powercap/intel-rapl:0:0/max_energy_range_uj': MAX,
    'class/powercap/intel-rapl:1/name': 'psys',
    'class/powercap/intel-rapl:1/energy_uj': 5,
    'class/powercap/intel-rapl:1/max_energy_range_uj': MAX,
  });
}

async function code(p: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await p;
  } catch (e) {
    if (e instanceof LpcvError) return { code: e.code, message: e.message };
    throw e;
  }
  return { code: 'not refused', message: '' };
}

// A counter that wraps: readings every 100 ms and a last one 50 ms later at stop.
//   262143000000 -> MAX: 328850 uJ; MAX -> 500000 wrapped: 500000 + 1 = 500001 uJ;
//   500000 -> 1500001: 1000001 uJ; -> 1600001: 100000 uJ.   Total 1928852 uJ = (MAX + 1 - first) + last.
const START = 262143000000;
const SCRIPT = [MAX, 500000, 1500001];
const LAST = 1600001;
const TOTAL_J = 1.928852;

async function wrappingRun(tree: FixtureTree, clock: FakeClock, timer: ManualTimer): Promise<void> {
  for (const v of SCRIPT) {
    clock.advance(100);
    await tree.write({ [`${PKG}/energy_uj`]: v });
    await timer.fire();
  }
  clock.advance(50);
  await tree.write({ [`${PKG}/energy_uj`]: LAST });
}

describe('raplDeltaUj', () => {
  it('is the difference of a counter that went up', () => {
    expect(raplDeltaUj(100, 350, MAX)).toBe(250);
  });
  it('adds max_energy_range_uj + 1 to a counter that went down (one wrap)', () => {
    expect(raplDeltaUj(MAX - 10, 5, MAX)).toBe(16);
    expect(raplDeltaUj(MAX, 0, MAX)).toBe(1);
  });
  it('refuses readings outside the counter range', () => {
    expect(() => raplDeltaUj(0, MAX + 1, MAX)).toThrow(/outside its range/);
    expect(() => raplDeltaUj(-1, 3, MAX)).toThrow(/outside its range/);
  });
});

describe('raplSamples', () => {
  it('draws each interval as a step at its average power, so the trapezoid equals the counter delta', () => {
    const s = raplSamples(
      [
        { t: 0, value: 0 },
        { t: 1000, value: 2_000_000 },
        { t: 1500, value: 5_000_000 },
      ],
      MAX,
    );
    expect(s).toEqual([
      { t: 0, watts: 2 },
      { t: 1000, watts: 2 },
      { t: 1000, watts: 6 },
      { t: 1500, watts: 6 },
    ]);
    expect(integrateEnergy(s, 0, 1500).joules).toBeCloseTo(5, 12);
  });
  it('carries the energy of a zero-length interval into the next one', () => {
    const s = raplSamples(
      [
        { t: 0, value: 0 },
        { t: 0, value: 1_000_000 },
        { t: 1000, value: 3_000_000 },
      ],
      MAX,
    );
    expect(s).toEqual([
      { t: 0, watts: 3 },
      { t: 1000, watts: 3 },
    ]);
  });
});

describe('openRaplSampler', () => {
  let tree: FixtureTree | undefined;
  afterEach(async () => tree?.close());

  it('reads energy_uj at start, every period and at stop; energy over the window equals the wrapped counter delta', async () => {
    tree = await raplTree(START);
    const clock = new FakeClock(0);
    const timer = new ManualTimer();
    const rapl = await openRaplSampler({ root: tree.root, now: clock.now, timer: timer.timer });
    expect(rapl.source).toBe('rapl:intel-rapl:0');
    expect(rapl.zone.name).toBe('package-0');
    expect(rapl.maxEnergyRangeUj).toBe(MAX);
    await rapl.start();
    await wrappingRun(tree, clock, timer);
    const trace = await rapl.stop();
    expect([trace.startMs, trace.endMs]).toEqual([0, 350]);
    const e = integrateEnergy(trace.samples, trace.startMs, trace.endMs);
    expect(e.joules).toBeCloseTo(TOTAL_J, 9);
    expect(e.joules).toBeCloseTo((MAX + 1 - START + LAST) / 1e6, 9);
    // The interval across the wrap: 500001 uJ in 100 ms = 5.00001 W.
    expect(trace.samples[2]!.watts).toBeCloseTo(5.00001, 9);
  });

  it('picks a zone by directory or by name, and names the zones it has when the one asked for is missing', async () => {
    tree = await raplTree(0);
    expect((await openRaplSampler({ root: tree.root, zone: 'psys' })).source).toBe('rapl:intel-rapl:1');
    expect((await openRaplSampler({ root: tree.root, zone: 'intel-rapl:0:0' })).zone.name).toBe('core');
    const r = await code(openRaplSampler({ root: tree.root, zone: 'dram' }));
    expect(r.code).toBe('LPCV_E_POWER_NO_SENSOR');
    expect(r.message).toContain('intel-rapl:0 (package-0), intel-rapl:0:0 (core), intel-rapl:1 (psys)');
  });

  it('says there is no sensor on a machine without powercap zones', async () => {
    tree = await fixtureTree({ 'class/hwmon/hwmon0/name': 'acpitz' });
    const r = await code(openRaplSampler({ root: tree.root }));
    expect(r.code).toBe('LPCV_E_POWER_NO_SENSOR');
    expect(r.message).toContain('no RAPL power zones');
  });

  it('refuses at open a zone without its counter files', async () => {
    tree = await raplTree(0);
    await tree.remove(`${PKG}/max_energy_range_uj`);
    expect((await code(openRaplSampler({ root: tree.root }))).code).toBe('LPCV_E_POWER_NO_SENSOR');
  });

  it('fails the run with LPCV_E_POWER_READ when the counter vanishes, and LPCV_E_POWER_VALUE on garbage', async () => {
    tree = await raplTree(10);
    const clock = new FakeClock(0);
    const timer = new ManualTimer();
    const rapl = await openRaplSampler({ root: tree.root, now: clock.now, timer: timer.timer });
    await rapl.start();
    await tree.remove(`${PKG}/energy_uj`);
    clock.advance(100);
    await timer.fire();
    expect((await code(rapl.stop())).code).toBe('LPCV_E_POWER_READ');
    await tree.write({ [`${PKG}/energy_uj`]: 10 });
    await rapl.start();
    await tree.write({ [`${PKG}/energy_uj`]: 'garbage' });
    expect((await code(rapl.stop())).code).toBe('LPCV_E_POWER_VALUE');
  });

  it('refuses a counter reading above max_energy_range_uj', async () => {
    tree = await raplTree(10);
    const rapl = await openRaplSampler({ root: tree.root, now: new FakeClock(0).now, timer: new ManualTimer().timer });
    await rapl.start();
    await tree.write({ [`${PKG}/energy_uj`]: MAX + 5 });
    expect((await code(rapl.stop())).code).toBe('LPCV_E_POWER_VALUE');
  });
});

describeSamplerContract('rapl (fixture powercap tree, a counter that wraps)', async () => {
  const tree = await raplTree(START);
  const clock = new FakeClock(0);
  const timer = new ManualTimer();
  const sampler = await openRaplSampler({ root: tree.root, now: clock.now, timer: timer.timer });
  return {
    sampler,
    during: () => wrappingRun(tree, clock, timer),
    rewind: () => tree.write({ [`${PKG}/energy_uj`]: START }),
    expectedJoules: TOTAL_J,
    close: () => tree.close(),
  };
});
