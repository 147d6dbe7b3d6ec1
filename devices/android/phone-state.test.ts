import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { LpcvError } from '../../errors/lpcv-error.js';
import { checkPhoneState, parseDumpsysBattery, parseThermalService, parseThermalZones, phoneSnapshot, type PhoneState } from './phone-state.js';

const phone = (p: string): string => readFileSync(new URL(`./fixtures/phone/${p}`, import.meta.url), 'utf8');

describe('dumpsys battery', () => {
  it('reads level, status, plugs, temperature (tenths of a degree) and voltage', () => {
    expect(parseDumpsysBattery(phone('dumpsys/battery.txt'))).toEqual({
      levelPercent: 78,
      status: 4,
      statusName: 'not charging',
      charging: false,
      plugged: { ac: false, usb: true, wireless: false },
      temperatureC: 29.1,
      voltageMv: 4121,
      overridden: false,
    });
  });
  it('sees charging, and an override (dumpsys battery unplug)', () => {
    const text = phone('dumpsys/battery.txt')
      .replace('status: 4', 'status: 2')
      .replace('Current Battery Service state:\n', "Current Battery Service state:\n  (UPDATES STOPPED -- use 'reset' to restart)\n");
    expect(parseDumpsysBattery(text)).toMatchObject({ charging: true, statusName: 'charging', overridden: true });
  });
  it('refuses a dump without status or level (LPCV_E_ANDROID_STATE)', () => {
    expect(() => parseDumpsysBattery("Can't find service: battery\n")).toThrow(expect.objectContaining({ code: 'LPCV_E_ANDROID_STATE' }));
  });
});

describe('thermal state', () => {
  it('reads Thermal Status and the HAL temperatures from dumpsys thermalservice', () => {
    const t = parseThermalService(phone('dumpsys/thermalservice.txt'));
    expect(t).toMatchObject({ status: 0, overridden: false, source: 'thermalservice', maxCelsius: 38.2 });
    expect(t?.temperatures).toContainEqual({ name: 'cpu4-gold-usr', celsius: 38.2 });
    expect(t?.temperatures).toHaveLength(4);
  });
  it('has nothing to say without a Thermal Status line (older Android)', () => {
    expect(parseThermalService("Can't find service: thermalservice\n")).toBeUndefined();
  });
  it('reads /sys/class/thermal zones (millidegrees)', () => {
    const t = parseThermalZones(
      '/sys/class/thermal/thermal_zone0/type:cpu0\n/sys/class/thermal/thermal_zone0/temp:41500\n/sys/class/thermal/thermal_zone3/temp:29000\n',
    );
    expect(t).toEqual({
      status: null,
      overridden: false,
      source: 'sysfs',
      temperatures: [
        { name: 'cpu0', celsius: 41.5 },
        { name: 'thermal_zone3', celsius: 29 },
      ],
      maxCelsius: 41.5,
    });
  });
});

describe('refusing a phone', () => {
  const state = (battery: string, thermal: string): PhoneState => ({
    at: 'now',
    battery: parseDumpsysBattery(battery),
    thermal: parseThermalService(thermal)!,
  });
  const ok = state(phone('dumpsys/battery.txt'), phone('dumpsys/thermalservice.txt'));
  const codeOf = (s: PhoneState, req: Parameters<typeof checkPhoneState>[2]): string | undefined => {
    try {
      checkPhoneState('S', s, req);
    } catch (e) {
      return (e as LpcvError).code;
    }
    return undefined;
  };
  it('passes a cool phone that does not charge', () => {
    expect(codeOf(ok, { refuseCharging: true, maxThermalStatus: 0, maxBatteryTempC: 35 })).toBeUndefined();
  });
  it('charging only when the track refuses it', () => {
    const charging = state(phone('dumpsys/battery.txt').replace('status: 4', 'status: 2'), phone('dumpsys/thermalservice.txt'));
    expect(codeOf(charging, { refuseCharging: true })).toBe('LPCV_E_ANDROID_CHARGING');
    expect(codeOf(charging, { refuseCharging: false })).toBeUndefined();
  });
  it('hot by thermal status, by battery temperature, or with an overridden status', () => {
    const severe = state(phone('dumpsys/battery.txt'), phone('dumpsys/thermalservice.txt').replace('Thermal Status: 0', 'Thermal Status: 3'));
    expect(codeOf(severe, { refuseCharging: false, maxThermalStatus: 2 })).toBe('LPCV_E_ANDROID_HOT');
    expect(codeOf(severe, { refuseCharging: false, maxThermalStatus: 3 })).toBeUndefined();
    expect(codeOf(ok, { refuseCharging: false, maxBatteryTempC: 29 })).toBe('LPCV_E_ANDROID_HOT');
    const faked = state(phone('dumpsys/battery.txt'), phone('dumpsys/thermalservice.txt').replace('IsStatusOverride: false', 'IsStatusOverride: true'));
    expect(codeOf(faked, { refuseCharging: false, maxThermalStatus: 6 })).toBe('LPCV_E_ANDROID_HOT');
  });
});

describe('the phone as an environment snapshot', () => {
  const state = (battery: string, thermal: string): PhoneState => ({
    at: '2024-05-01T10:00:00.000Z',
    battery: parseDumpsysBattery(battery),
    thermal: parseThermalService(thermal) ?? parseThermalZones(thermal),
  });

  it('maps the HAL temperatures, the thermal status, the battery temperature and charging', () => {
    expect(phoneSnapshot(state(phone('dumpsys/battery.txt'), phone('dumpsys/thermalservice.txt')))).toEqual({
      t: Date.UTC(2024, 4, 1, 10),
      loadAvg1: null,
      cpu: [],
      cpufreq: [],
      thermalC: { battery: 29.1, 'cpu0-silver-usr': 36.8, 'cpu4-gold-usr': 38.2, skin: 31.4 },
      phone: { thermalStatus: 0, batteryTempC: 29.1, charging: false },
    });
  });

  it('takes sysfs zones on older Android (no status), and nulls what someone overrode', () => {
    const old = state(
      phone('dumpsys/battery.txt').replace('status: 4', 'status: 2'),
      '/sys/class/thermal/thermal_zone0/type:cpu0\n/sys/class/thermal/thermal_zone0/temp:41500\n',
    );
    expect(phoneSnapshot(old)).toMatchObject({ thermalC: { cpu0: 41.5 }, phone: { thermalStatus: null, batteryTempC: 29.1, charging: true } });
    const faked = state(
      phone('dumpsys/battery.txt').replace(
        'Current Battery Service state:\n',
        "Current Battery Service state:\n  (UPDATES STOPPED -- use 'reset' to restart)\n",
      ),
      phone('dumpsys/thermalservice.txt').replace('IsStatusOverride: false', 'IsStatusOverride: true'),
    );
    expect(phoneSnapshot(faked).phone).toEqual({ thermalStatus: null, batteryTempC: null, charging: null });
  });
});
