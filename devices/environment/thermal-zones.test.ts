import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { fixtureTree, type FixtureTree } from '../power/testing/sysfs-fixtures.js';
import { readThermalZones, thermalRecord } from './thermal-zones.js';

const fixture = (board: string): string => fileURLToPath(new URL(`./fixtures/${board}/sys`, import.meta.url));

describe('thermal zones', () => {
  let tree: FixtureTree | undefined;
  afterEach(async () => {
    await tree?.close();
    tree = undefined;
  });

  it('reads type and temp (millidegrees) of each zone, not the cooling devices beside them (a Pi 4)', async () => {
    expect(thermalRecord(await readThermalZones(fixture('rpi4')))).toEqual({ 'cpu-thermal': 47.238 });
  });

  it('reads every zone of a Jetson Nano-like tree in zone order', async () => {
    const zones = await readThermalZones(fixture('jetson-nano'));
    expect(zones.map((z) => [z.zone, z.type, z.celsius])).toEqual([
      ['thermal_zone0', 'AO-therm', 36.5],
      ['thermal_zone1', 'CPU-therm', 38.5],
      ['thermal_zone2', 'GPU-therm', 36],
      ['thermal_zone3', 'PLL-therm', 35.25],
      ['thermal_zone4', 'PMIC-Die', 100],
      ['thermal_zone5', 'thermal-fan-est', 37.2],
    ]);
  });

  it('skips a zone without a readable integer temp, orders zones numerically, keeps negative temperatures', async () => {
    tree = await fixtureTree({
      'class/thermal/thermal_zone10/type': 'x86_pkg_temp',
      'class/thermal/thermal_zone10/temp': 61000,
      'class/thermal/thermal_zone2/type': 'acpitz',
      'class/thermal/thermal_zone2/temp': -5500,
      'class/thermal/thermal_zone3/type': 'iwlwifi_1',
      'class/thermal/thermal_zone3/temp': '',
      'class/thermal/thermal_zone4/type': 'sensor-off',
    });
    expect((await readThermalZones(tree.root)).map((z) => [z.zone, z.celsius])).toEqual([
      ['thermal_zone2', -5.5],
      ['thermal_zone10', 61],
    ]);
    expect(await readThermalZones('/nonexistent-sys')).toEqual([]);
  });

  it('gives every zone of a repeated type its own key, the first the bare type, and keeps odd names as plain keys', () => {
    const r = thermalRecord([
      { zone: 'thermal_zone0', type: 'acpitz', celsius: 27.8 },
      { zone: 'thermal_zone1', type: 'acpitz', celsius: 29.8 },
      { type: 'skin', celsius: 30 },
      { type: 'skin', celsius: 31 },
      { type: '__proto__', celsius: 1 },
      { type: 'nan', celsius: Number.NaN },
    ]);
    expect(Object.entries(r)).toEqual([
      ['acpitz', 27.8],
      ['acpitz (thermal_zone1)', 29.8],
      ['skin', 30],
      ['skin #2', 31],
      ['__proto__', 1],
    ]);
    expect(Object.getPrototypeOf(r)).toBe(Object.prototype);
  });
});
