import { describe, expect, it } from 'vitest';
import { LpcvError } from '../../errors/lpcv-error.js';
import { allowedPowerForms, parsePowerSource, powerSourceText, type DriverPowerSources, type PowerSourceKind } from './power-source-spec.js';

/** Every kind, as no real driver takes them: the grammar on its own. */
const EVERY: DriverPowerSources<PowerSourceKind> = { who: 'test devices', kinds: ['rapl', 'hwmon', 'ina3221', 'nvidia-smi', 'scpi', 'battery', 'none'] };
const parse = (value: string) => parsePowerSource(value, EVERY);

function refusal(value: string, allowed: DriverPowerSources<PowerSourceKind> = EVERY, where?: string): LpcvError {
  try {
    parsePowerSource(value, allowed, where);
  } catch (e) {
    expect(e).toBeInstanceOf(LpcvError);
    return e as LpcvError;
  }
  throw new Error(`accepted power=${value}`);
}

describe('the power= grammar', () => {
  it('parses every kind, with and without its setting', () => {
    const cases: [string, unknown][] = [
      ['none', { kind: 'none' }],
      ['rapl', { kind: 'rapl' }],
      ['rapl:intel-rapl:0:1', { kind: 'rapl', zone: 'intel-rapl:0:1' }],
      ['RAPL:psys', { kind: 'rapl', zone: 'psys' }],
      ['hwmon', { kind: 'hwmon' }],
      ['hwmon:ina226, hwmon2/pout1', { kind: 'hwmon', select: 'ina226,hwmon2/pout1' }],
      ['hwmon:/sys/class/hwmon/hwmon3', { kind: 'hwmon', select: '/sys/class/hwmon/hwmon3' }],
      ['pynq', { kind: 'hwmon', select: 'ina226' }],
      ['pynq:VCCINT', { kind: 'hwmon', select: 'VCCINT' }],
      ['ina3221', { kind: 'ina3221' }],
      ['ina3221:/sys/bus/i2c/drivers/ina3221x/6-0040/iio:device0', { kind: 'ina3221', select: '/sys/bus/i2c/drivers/ina3221x/6-0040/iio:device0' }],
      ['ina3221:POM_5V_GPU', { kind: 'ina3221', select: 'POM_5V_GPU' }],
      ['nvidia-smi', { kind: 'nvidia-smi' }],
      ['nvidia-smi:1', { kind: 'nvidia-smi', gpu: 1 }],
      ['nvidia:0', { kind: 'nvidia-smi', gpu: 0 }],
      ['scpi://10.0.0.5:10001', { kind: 'scpi', host: '10.0.0.5', port: 10001 }],
      ['scpi://meter.lab:5025?element=SIGMA', { kind: 'scpi', host: 'meter.lab', port: 5025, element: 'SIGMA' }],
      ['scpi://[::1]:5025?element=2', { kind: 'scpi', host: '::1', port: 5025, element: 2 }],
      ['battery', { kind: 'battery' }],
      ['battery:/sys/class/power_supply/bms', { kind: 'battery', dir: '/sys/class/power_supply/bms' }],
      ['  none  ', { kind: 'none' }],
    ];
    for (const [value, want] of cases) expect(parse(value), value).toEqual(want);
  });

  it('writes each source back in the grammar, and that text parses to the same source', () => {
    for (const value of [
      'none',
      'rapl',
      'rapl:psys',
      'hwmon',
      'pynq',
      'hwmon:a,b/c',
      'ina3221:VDD_IN',
      'nvidia-smi:1',
      'scpi://10.0.0.5:10001?element=3',
      'scpi://[::1]:5025',
      'battery:/sys/class/power_supply/bms',
    ]) {
      const source = parse(value);
      expect(parse(powerSourceText(source)), value).toEqual(source);
    }
    expect(powerSourceText(parse('pynq'))).toBe('hwmon:ina226');
    expect(powerSourceText(parse('scpi://meter:5025?element=sigma'))).toBe('scpi://meter:5025?element=SIGMA');
  });

  it('refuses bad values with LPCV_E_POWER_SPEC, naming the setting, the value, why, and what the driver takes', () => {
    const cases: [string, string][] = [
      ['', 'empty'],
      ['wattmeter', 'unknown power source "wattmeter"'],
      ['android', 'unknown power source "android"'],
      ['rapl:', 'nothing after "rapl:"'],
      ['none:x', 'none takes no setting'],
      ['hwmon:ina226,,x', 'an empty rail between commas'],
      ['pynq:a,', 'an empty rail between commas'],
      ['hwmon:/sys/x\u0001', 'control character'],
      ['nvidia-smi:first', 'a GPU index is a number'],
      ['scpi:10.0.0.5', 'needs a host and a port'],
      ['scpi://10.0.0.5', 'needs a host and a port'],
      ['scpi://10.0.0.5:99999', 'not a scpi://<host>:<port> address'],
      ['scpi://10.0.0.5:10001/x', 'has no path'],
      ['scpi://admin:pw@10.0.0.5:10001', 'no user, password'],
      ['scpi://10.0.0.5:10001?element=4', 'element must be 1, 2, 3 or SIGMA'],
      ['scpi://10.0.0.5:10001?rate=1', 'unknown meter setting rate'],
      ['battery:battery', 'absolute path'],
    ];
    for (const [value, why] of cases) {
      const e = refusal(value);
      expect(e.code, value).toBe('LPCV_E_POWER_SPEC');
      expect(e.fault).toBe('usage');
      expect(e.message, value).toContain(`power=${JSON.stringify(value)}: `);
      expect(e.message, value).toContain(why);
      expect(e.message, value).toContain(`test devices take power=${allowedPowerForms(EVERY)}`);
    }
  });

  it("refuses a source the driver does not take, listing the driver's table", () => {
    const boards: DriverPowerSources<'hwmon' | 'scpi' | 'none'> = { who: 'boards', kinds: ['hwmon', 'scpi', 'none'] };
    expect(parsePowerSource('pynq', boards)).toEqual({ kind: 'hwmon', select: 'ina226' });
    for (const value of ['rapl', 'ina3221', 'nvidia-smi', 'battery:/x']) {
      const e = refusal(value, boards, 'device spec "b"');
      expect(e.code).toBe('LPCV_E_POWER_SPEC');
      expect(e.message).toBe(
        `device spec "b": power=${JSON.stringify(value)}: ${parse(value).kind} is not a power source for boards; boards take power=hwmon[:<rails>]|pynq[:<rails>]|scpi://<host>:<port>[?element=1|2|3|SIGMA]|none`,
      );
    }
  });
});
