import { LpcvError } from '../../errors/lpcv-error.js';
import type { EnvironmentSnapshot } from '../../harness/environment.js';
import { thermalRecord } from '../environment/thermal-zones.js';
import type { Adb, ShellOptions } from './adb.js';

/**
 * The phone's battery and thermal state, read before and after a measured run (for the record, and to
 * refuse a charging or hot phone when the track says so).
 *
 * - `dumpsys battery` (BatteryService): `status: N` (1 unknown, 2 charging, 3 discharging, 4 not charging,
 *   5 full), `level`, `scale`, `temperature` in tenths of a degree C, `voltage` in mV, and whether AC, USB
 *   or wireless power is present. `(UPDATES STOPPED -- use 'reset' to restart)` means someone ran
 *   `dumpsys battery set|unplug`: the figures are then what they typed, not the battery's.
 * - `dumpsys thermalservice` (Android 10+): `Thermal Status: N` (0 none, 1 light, 2 moderate, 3 severe,
 *   4 critical, 5 emergency, 6 shutdown), `IsStatusOverride: true|false`, and the HAL's temperatures as
 *   `Temperature{mValue=36.8, mType=0, mName=cpu0-silver-usr, mStatus=0}`.
 * - Without a `Thermal Status` line (older Android), the thermal zones in /sys/class/thermal are read
 *   instead (`type`, and `temp` in millidegrees C); there is then no status, only temperatures.
 */

export const BATTERY_STATUS = { 1: 'unknown', 2: 'charging', 3: 'discharging', 4: 'not charging', 5: 'full' } as const;

export interface BatteryState {
  /** Percent (level / scale x 100). */
  readonly levelPercent: number;
  readonly status: number;
  readonly statusName: string;
  /** status 2: the battery is taking charge now. */
  readonly charging: boolean;
  readonly plugged: { readonly ac: boolean; readonly usb: boolean; readonly wireless: boolean };
  readonly temperatureC: number | null;
  readonly voltageMv: number | null;
  /** `dumpsys battery set|unplug` is in force: these figures are not the battery's. */
  readonly overridden: boolean;
}

export interface ThermalReading {
  readonly name: string;
  readonly celsius: number;
}

export interface ThermalState {
  /** 0-6 from thermalservice; null when the phone has none (temperatures from /sys/class/thermal then). */
  readonly status: number | null;
  readonly overridden: boolean;
  readonly source: 'thermalservice' | 'sysfs';
  readonly temperatures: readonly ThermalReading[];
  readonly maxCelsius: number | null;
}

export interface PhoneState {
  /** ISO time on the host when the state was read. */
  readonly at: string;
  readonly battery: BatteryState;
  readonly thermal: ThermalState;
}

function stateError(why: string, text: string): LpcvError {
  return new LpcvError('LPCV_E_ANDROID_STATE', `${why}: ${JSON.stringify(text.slice(0, 300))}`);
}

export function parseDumpsysBattery(text: string): BatteryState {
  const fields = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    const m = /^\s+([A-Za-z][A-Za-z ]*?):\s*(.*?)\s*$/.exec(line);
    if (m) fields.set(m[1]!.toLowerCase(), m[2]!);
  }
  const int = (key: string): number | null => {
    const v = fields.get(key);
    return v !== undefined && /^-?\d+$/.test(v) ? Number(v) : null;
  };
  const status = int('status');
  const level = int('level');
  const scale = int('scale') ?? 100;
  if (status === null || level === null || scale <= 0) throw stateError('dumpsys battery has no status or level', text);
  const temp = int('temperature');
  return {
    levelPercent: (level / scale) * 100,
    status,
    statusName: BATTERY_STATUS[status as keyof typeof BATTERY_STATUS] ?? `status ${status}`,
    charging: status === 2,
    plugged: { ac: fields.get('ac powered') === 'true', usb: fields.get('usb powered') === 'true', wireless: fields.get('wireless powered') === 'true' },
    temperatureC: temp === null ? null : temp / 10,
    voltageMv: int('voltage'),
    overridden: text.includes('(UPDATES STOPPED'),
  };
}

/** thermalservice's dump; undefined when it has no `Thermal Status` line (the caller falls back to sysfs). */
export function parseThermalService(text: string): ThermalState | undefined {
  const status = /^Thermal Status: (\d+)\s*$/m.exec(text);
  if (status === null) return undefined;
  // Prefer the HAL's current temperatures; the cached ones are from the last throttling event.
  const current = text.split(/^Current temperatures from HAL:\s*$/m)[1] ?? text;
  const temperatures: ThermalReading[] = [];
  for (const m of current.matchAll(/Temperature\{mValue=(-?[\d.]+(?:[eE][-+]?\d+)?), mType=-?\d+, mName=([^,}]*), mStatus=\d+\}/g)) {
    const celsius = Number(m[1]);
    if (Number.isFinite(celsius)) temperatures.push({ name: m[2]!, celsius });
  }
  return {
    status: Number(status[1]),
    overridden: /^IsStatusOverride: true\s*$/m.test(text),
    source: 'thermalservice',
    temperatures,
    maxCelsius: maxOf(temperatures),
  };
}

/** `grep -Hs . /sys/class/thermal/thermal_zoneN/type ...temp` lines into readings (millidegrees to degrees). */
export function parseThermalZones(grepOutput: string): ThermalState {
  const types = new Map<string, string>();
  const temps = new Map<string, number>();
  for (const line of grepOutput.split(/\r?\n/)) {
    const m = /^(\/sys\/class\/thermal\/thermal_zone\d+)\/(type|temp):(.*)$/.exec(line.trim());
    if (m === null) continue;
    if (m[2] === 'type') types.set(m[1]!, m[3]!.trim());
    else if (/^-?\d+$/.test(m[3]!.trim())) temps.set(m[1]!, Number(m[3]) / 1000);
  }
  const temperatures = [...temps].map(([zone, celsius]) => ({ name: types.get(zone) ?? zone.slice(zone.lastIndexOf('/') + 1), celsius }));
  return { status: null, overridden: false, source: 'sysfs', temperatures, maxCelsius: maxOf(temperatures) };
}

function maxOf(t: readonly ThermalReading[]): number | null {
  return t.length === 0 ? null : Math.max(...t.map((r) => r.celsius));
}

export async function readPhoneState(adb: Adb, o: ShellOptions = {}, now: () => Date = () => new Date()): Promise<PhoneState> {
  const at = now().toISOString();
  const battery = parseDumpsysBattery(await adb.shellText(['dumpsys', 'battery'], o));
  const ts = await adb.shell(['dumpsys', 'thermalservice'], o);
  let thermal = parseThermalService(ts.stdout);
  if (thermal === undefined) {
    const zones = (await adb.shell(['ls', '/sys/class/thermal'], o)).stdout
      .split(/\s+/)
      .filter((n) => /^thermal_zone\d+$/.test(n))
      .map((n) => `/sys/class/thermal/${n}`);
    if (zones.length === 0) throw stateError('no Thermal Status from dumpsys thermalservice and no /sys/class/thermal zones', ts.stdout + ts.stderr);
    const r = await adb.shell(['grep', '-Hs', '.', ...zones.flatMap((z) => [`${z}/type`, `${z}/temp`])], o);
    thermal = parseThermalZones(r.stdout);
  }
  return { at, battery, thermal };
}

/** What the track asks of the phone before a run (track target.android). */
export interface PhoneRequirements {
  readonly refuseCharging: boolean;
  readonly maxThermalStatus?: number;
  readonly maxBatteryTempC?: number;
}

/**
 * Throws LPCV_E_ANDROID_CHARGING or LPCV_E_ANDROID_HOT (infrastructure: the job goes back to the queue)
 * when the state breaks the track's requirements. A battery or thermal status someone overrode with
 * dumpsys cannot show that the phone is fit, so it is refused under the same codes.
 */
export function checkPhoneState(serial: string, s: PhoneState, req: PhoneRequirements): void {
  const b = s.battery;
  const detail = { serial, battery: b.statusName, levelPercent: b.levelPercent, thermalStatus: s.thermal.status, batteryTempC: b.temperatureC };
  if (req.refuseCharging) {
    if (b.overridden) {
      throw new LpcvError(
        'LPCV_E_ANDROID_CHARGING',
        `${serial}: the battery state is overridden (dumpsys battery set/unplug is in force), so whether it charges is unknown; run \`adb shell dumpsys battery reset\``,
        detail,
      );
    }
    if (b.charging) {
      throw new LpcvError(
        'LPCV_E_ANDROID_CHARGING',
        `${serial}: the phone is charging (battery ${b.statusName}, ${b.levelPercent}%) and the track refuses to measure a charging phone`,
        detail,
      );
    }
  }
  if (req.maxThermalStatus !== undefined) {
    if (s.thermal.overridden) {
      throw new LpcvError(
        'LPCV_E_ANDROID_HOT',
        `${serial}: the thermal status is overridden (cmd thermalservice override-status), so the phone's heat is unknown`,
        detail,
      );
    }
    if (s.thermal.status !== null && s.thermal.status > req.maxThermalStatus) {
      throw new LpcvError(
        'LPCV_E_ANDROID_HOT',
        `${serial}: thermal status ${s.thermal.status} is above the track's limit ${req.maxThermalStatus}; let the phone cool down`,
        detail,
      );
    }
  }
  if (req.maxBatteryTempC !== undefined && b.temperatureC !== null && b.temperatureC > req.maxBatteryTempC) {
    throw new LpcvError(
      'LPCV_E_ANDROID_HOT',
      `${serial}: the battery is at ${b.temperatureC} °C, above the track's limit of ${req.maxBatteryTempC} °C; let the phone cool down`,
      detail,
    );
  }
}

/**
 * The phone's readings as an environment snapshot (harness/environment.ts), so that a phone's trial joins the
 * record's environment fields beside a desktop's and a board's: the HAL's (or the sysfs zones') temperatures
 * as `thermalC`, and `phone` with the thermal status, the battery temperature and whether it charges. A figure
 * someone overrode with dumpsys is not the phone's, so it is null here (the refusal above says so too). adb
 * reads no per-core jiffies or cpufreq (cpu and cpufreq are empty): on a phone the guards judge temperatures.
 */
export function phoneSnapshot(s: PhoneState): EnvironmentSnapshot {
  const status = s.thermal.status;
  const b = s.battery;
  return {
    t: Date.parse(s.at),
    loadAvg1: null,
    cpu: [],
    cpufreq: [],
    thermalC: thermalRecord(s.thermal.temperatures.map((r) => ({ type: r.name, celsius: r.celsius }))),
    phone: {
      thermalStatus: !s.thermal.overridden && status !== null && Number.isInteger(status) && status >= 0 && status <= 6 ? status : null,
      batteryTempC: b.overridden ? null : b.temperatureC,
      charging: b.overridden ? null : b.charging,
    },
  };
}
