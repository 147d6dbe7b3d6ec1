import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { openPowerSampler, openPowerSamplerOrNote, parsePowerSpec } from './open-power-sampler.js';
import { fixtureTree, type FixtureTree } from './test-fixtures.js';

const STANDIN = fileURLToPath(new URL('./fixtures/nvidia-smi-standin.mjs', import.meta.url));

describe('parsePowerSpec', () => {
  it('parses every form', () => {
    expect(parsePowerSpec('none')).toEqual({ kind: 'none' });
    expect(parsePowerSpec('rapl')).toEqual({ kind: 'rapl' });
    expect(parsePowerSpec('rapl:intel-rapl:0:1')).toEqual({ kind: 'rapl', zone: 'intel-rapl:0:1' });
    expect(parsePowerSpec('hwmon:ina226,hwmon2/pout1')).toEqual({ kind: 'hwmon', select: 'ina226,hwmon2/pout1' });
    expect(parsePowerSpec('hwmon:/sys/class/hwmon/hwmon3')).toEqual({ kind: 'hwmon', select: '/sys/class/hwmon/hwmon3' });
    expect(parsePowerSpec('pynq')).toEqual({ kind: 'hwmon', select: 'ina226' });
    expect(parsePowerSpec('pynq:VCCINT')).toEqual({ kind: 'hwmon', select: 'VCCINT' });
    expect(parsePowerSpec('ina3221')).toEqual({ kind: 'ina3221' });
    expect(parsePowerSpec('ina3221:/sys/bus/i2c/drivers/ina3221x/6-0040/iio:device0')).toEqual({ kind: 'ina3221', select: '/sys/bus/i2c/drivers/ina3221x/6-0040/iio:device0' });
    expect(parsePowerSpec('nvidia-smi')).toEqual({ kind: 'nvidia-smi' });
    expect(parsePowerSpec('nvidia-smi:1')).toEqual({ kind: 'nvidia-smi', gpu: 1 });
    expect(parsePowerSpec('scpi://10.0.0.5:10001')).toEqual({ kind: 'scpi', host: '10.0.0.5', port: 10001 });
    expect(parsePowerSpec('scpi://meter.lab:5025?element=SIGMA')).toEqual({ kind: 'scpi', host: 'meter.lab', port: 5025, element: 'SIGMA' });
    expect(parsePowerSpec('android')).toEqual({ kind: 'android' });
    expect(parsePowerSpec('android:/sys/class/power_supply/bms')).toEqual({ kind: 'android', dir: '/sys/class/power_supply/bms' });
  });

  it('refuses a bad spec with LPCV_E_POWER_SPEC and the forms it takes', () => {
    for (const [spec, why] of [
      ['', 'empty'],
      ['wattmeter', 'unknown power source "wattmeter"'],
      ['rapl:', 'nothing after'],
      ['none:x', 'none takes no setting'],
      ['nvidia-smi:first', 'a GPU index is a number'],
      ['scpi://10.0.0.5', 'needs a host and a port'],
      ['scpi://10.0.0.5:99999', 'not a scpi://host:port address'],
      ['scpi://10.0.0.5:10001/x', 'has no path'],
      ['scpi://10.0.0.5:10001?element=4', 'element must be'],
      ['scpi://10.0.0.5:10001?rate=1', 'unknown meter setting'],
      ['android:battery', 'absolute path'],
    ] as const) {
      expect(() => parsePowerSpec(spec), spec).toThrow(expect.objectContaining({ code: 'LPCV_E_POWER_SPEC', message: expect.stringContaining(why) }));
    }
    expect(() => parsePowerSpec('x')).toThrow(/expected one of none, rapl\[:zone\]/);
  });
});

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
    expect(await openPowerSampler('none')).toBeUndefined();
    expect((await openPowerSampler('rapl', { root: tree.root }))?.source).toBe('rapl:intel-rapl:0');
    expect((await openPowerSampler('pynq', { root: tree.root }))?.source).toBe('hwmon:ina226/power1');
    expect((await openPowerSampler('ina3221', { root: tree.root }))?.source).toBe('ina3221:POM_5V_IN');
  });

  it('opens nvidia-smi through the given executable, and android through the given shell', async () => {
    expect((await openPowerSampler('nvidia-smi', { nvidiaSmi: STANDIN }))?.source).toBe('nvidia-smi:gpu0');
    const shell = async (): Promise<string> => '-1000000\n3900000\nDischarging\n';
    expect((await openPowerSampler('android', { shell }))?.source).toBe('android-battery:/sys/class/power_supply/battery');
    await expect(openPowerSampler('android')).rejects.toMatchObject({ code: 'LPCV_E_POWER_SPEC', message: expect.stringContaining("phone's shell") });
  });

  it('probes at open: a missing sensor is LPCV_E_POWER_NO_SENSOR', async () => {
    tree = await fixtureTree({ 'class/thermal/thermal_zone0/temp': 40000 });
    for (const spec of ['rapl', 'hwmon', 'ina3221', 'scpi://127.0.0.1:1']) {
      await expect(openPowerSampler(spec, { root: tree.root }), spec).rejects.toMatchObject({ code: 'LPCV_E_POWER_NO_SENSOR' });
    }
    await expect(openPowerSampler('nvidia-smi', { nvidiaSmi: '/nonexistent/nvidia-smi' })).rejects.toMatchObject({ code: 'LPCV_E_POWER_NO_SENSOR' });
  });

  it('openPowerSamplerOrNote turns no sensor (and none) into a note, and lets a bad spec through', async () => {
    tree = await fixtureTree({ 'class/thermal/thermal_zone0/temp': 40000 });
    const r = await openPowerSamplerOrNote('rapl', { root: tree.root });
    expect(r.sampler).toBeUndefined();
    expect(r.note).toMatch(/^no power sensor: no RAPL power zones under /);
    expect((await openPowerSamplerOrNote('none')).note).toContain('power=none');
    expect((await openPowerSamplerOrNote(undefined)).note).toContain('no power source is configured');
    await expect(openPowerSamplerOrNote('wattmeter')).rejects.toMatchObject({ code: 'LPCV_E_POWER_SPEC' });
  });
});
