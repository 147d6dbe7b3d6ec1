import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { openPowerSampler } from './open-power-sampler.js';
import { fixtureTree, type FixtureTree } from './testing/sysfs-fixtures.js';
import { startWt310Standin } from './testing/wt310-standin.js';

const STANDIN = fileURLToPath(new URL('./fixtures/nvidia-smi-standin.mjs', import.meta.url));

describe('openPowerSampler', () => {
  let tree: FixtureTree | undefined;
  afterEach(async () => tree?.close());

  it('opens each sysfs source on a fixture tree, and none as no sampler', async () => {
    tree = await fixtureTree({
      'class/powercap/intel-rapl:0/name': 'package-0',
      'class/powercap/intel-rapl:0/energy_uj': 12345,
      'class/powercap/intel-rapl:0/max_energy_range_uj': 262143328850,
      'class/hwmon/hwmon0/name': 'ina226',
      'class/hwmon/hwmon0/power1_input': 5000000,
      'bus/i2c/drivers/ina3221x/6-0040/iio:device0/rail_name_0': 'POM_5V_IN',
      'bus/i2c/drivers/ina3221x/6-0040/iio:device0/in_power0_input': 3000,
    });
    expect(await openPowerSampler({ kind: 'none' })).toBeUndefined();
    expect((await openPowerSampler({ kind: 'rapl' }, { root: tree.root }))?.source).toBe('rapl:intel-rapl:0');
    expect((await openPowerSampler({ kind: 'hwmon', select: 'ina226' }, { root: tree.root }))?.source).toBe('hwmon:ina226/power1');
    expect((await openPowerSampler({ kind: 'ina3221' }, { root: tree.root }))?.source).toBe('ina3221:POM_5V_IN');
  });

  it('opens nvidia-smi through the given executable, and a meter at its address', async () => {
    expect((await openPowerSampler({ kind: 'nvidia-smi' }, { nvidiaSmi: STANDIN }))?.source).toBe('nvidia-smi:gpu0');
    const meter = await startWt310Standin({ values: [4.2] });
    try {
      const s = await openPowerSampler({ kind: 'scpi', host: '127.0.0.1', port: meter.port, element: 2 });
      expect(s?.source).toBe(`scpi:WT310@127.0.0.1:${meter.port}`);
      expect(meter.received).toContain(':NUMeric:NORMal:ITEM1 P,2');
      await s?.close?.();
    } finally {
      await meter.close();
    }
  });

  it('probes at open: a missing sensor is LPCV_E_POWER_NO_SENSOR', async () => {
    tree = await fixtureTree({ 'class/thermal/thermal_zone0/temp': 40000 });
    for (const source of [{ kind: 'rapl' }, { kind: 'hwmon' }, { kind: 'ina3221' }, { kind: 'scpi', host: '127.0.0.1', port: 1 }] as const) {
      await expect(openPowerSampler(source, { root: tree.root }), source.kind).rejects.toMatchObject({ code: 'LPCV_E_POWER_NO_SENSOR' });
    }
    await expect(openPowerSampler({ kind: 'nvidia-smi' }, { nvidiaSmi: '/nonexistent/nvidia-smi' })).rejects.toMatchObject({ code: 'LPCV_E_POWER_NO_SENSOR' });
  });
});
