/**
 * An Android phone's battery through its power_supply class (Documentation/ABI/testing/sysfs-class-power):
 * `current_now` in microamps, `voltage_now` in microvolts and `status` (Charging, Discharging, Full, Not
 * charging), read with one `cat` through a shell function the Android driver passes in (adb shell). Power is
 * |current| x voltage while the phone runs on its battery alone.
 *
 * The sign of current_now varies by vendor: the kernel ABI says negative while discharging, and many
 * Qualcomm and Samsung kernels report the discharge current as positive. So the sign is not assumed: at open
 * the phone must report `Discharging` (anything else, e.g. Charging, Full or Not charging on a cable, is
 * LPCV_E_POWER_CHARGING: the battery is then not what powers the phone), and the sign of that first non-zero
 * current is taken as this phone's discharge direction (`currentSign` sets it instead). A later reading with
 * the other sign, or a status other than Discharging, means current flowed into the battery during the run:
 * LPCV_E_POWER_CHARGING, never a number.
 *
 * Not handled: kernels that report milliamps or millivolts (voltage is range-checked as a single or dual Li-ion
 * cell in microvolts, 2.5 to 10 V, and refused otherwise; current is not, there being no safe range), and the
 * fuel gauge's own averaging, which differs by chip (some update current_now only every few seconds).
 */
import { LpcvError } from '../../errors/lpcv-error.js';
import type { PowerSample, PowerSampler, PowerTrace } from './power-sampler.js';
import { PolledSampler } from './polled-sampler.js';
import type { Clock, Timer } from './poller.js';
import { parseInteger } from './sysfs.js';

/** Runs a command on the device (argument array, no shell string built here) and resolves with its stdout. */
export type DeviceShell = (args: string[]) => Promise<string>;

export const ANDROID_BATTERY_DIR = '/sys/class/power_supply/battery';
/** One adb shell round trip takes tens of milliseconds; fuel gauges rarely update faster than this. */
export const ANDROID_DEFAULT_PERIOD_MS = 250;

export interface BatteryReading {
  readonly currentUa: number;
  readonly voltageUv: number;
  readonly status: string;
}

/** The command each reading runs. */
export function batteryCommand(dir = ANDROID_BATTERY_DIR): string[] {
  return ['cat', `${dir}/current_now`, `${dir}/voltage_now`, `${dir}/status`];
}

/** Parses the output of batteryCommand: three lines (adb may end them with \r\n). */
export function parseBatteryReading(output: string, dir = ANDROID_BATTERY_DIR): BatteryReading {
  if (/No such file|Permission denied|not found/i.test(output)) {
    throw new LpcvError('LPCV_E_POWER_NO_SENSOR', `the phone has no readable ${dir}/{current_now,voltage_now,status}: ${output.trim().slice(0, 200)}`);
  }
  const lines = output
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '');
  if (lines.length !== 3)
    throw new LpcvError('LPCV_E_POWER_VALUE', `expected current_now, voltage_now and status, got ${JSON.stringify(output.slice(0, 200))}`);
  const currentUa = parseInteger(lines[0]!, `${dir}/current_now`);
  const voltageUv = parseInteger(lines[1]!, `${dir}/voltage_now`);
  if (voltageUv < 2_500_000 || voltageUv > 10_000_000) {
    throw new LpcvError('LPCV_E_POWER_VALUE', `${dir}/voltage_now reads ${voltageUv}, not a battery voltage in microvolts (2.5 to 10 V)`);
  }
  return { currentUa, voltageUv, status: lines[2]! };
}

/** +1 when this phone reports discharge as positive current, -1 when negative. */
export type CurrentSign = 1 | -1;

function checkDischarging(r: BatteryReading, when: string): void {
  if (r.status !== 'Discharging') {
    throw new LpcvError(
      'LPCV_E_POWER_CHARGING',
      `the battery reports "${r.status}" ${when}, not Discharging: unplug the phone (or disable charging) to measure its power`,
    );
  }
}

/** Watts of one reading given the phone's discharge sign; refuses current flowing into the battery. */
export function batteryWatts(r: BatteryReading, dischargeSign: CurrentSign): number {
  checkDischarging(r, 'during the run');
  const dischargeUa = dischargeSign * r.currentUa;
  if (dischargeUa < 0) {
    throw new LpcvError(
      'LPCV_E_POWER_CHARGING',
      `current_now changed sign during the run (${r.currentUa} uA): current flowed into the battery, so it is not the phone's draw`,
    );
  }
  return (dischargeUa * r.voltageUv) / 1e12;
}

export interface AndroidBatteryOptions {
  readonly shell: DeviceShell;
  /** The power_supply folder (default /sys/class/power_supply/battery). */
  readonly dir?: string;
  /** Force the discharge sign instead of deciding it from the first reading. */
  readonly currentSign?: CurrentSign;
  readonly periodMs?: number;
  readonly now?: Clock;
  readonly timer?: Timer;
  readonly onSample?: (s: PowerSample) => void;
}

export interface AndroidBatterySampler extends PowerSampler {
  /** The discharge sign in use (decided at open unless given). */
  readonly dischargeSign: CurrentSign;
  stop(): Promise<PowerTrace>;
}

async function read(shell: DeviceShell, dir: string): Promise<BatteryReading> {
  let out: string;
  try {
    out = await shell(batteryCommand(dir));
  } catch (e) {
    throw new LpcvError('LPCV_E_POWER_READ', `reading the battery through the device shell failed: ${e instanceof Error ? e.message : String(e)}`);
  }
  return parseBatteryReading(out, dir);
}

/** Probes the files, checks the phone is discharging, decides the sign (see above). */
export async function openAndroidBatterySampler(o: AndroidBatteryOptions): Promise<AndroidBatterySampler> {
  const dir = o.dir ?? ANDROID_BATTERY_DIR;
  let first: BatteryReading;
  try {
    first = await read(o.shell, dir);
  } catch (e) {
    if (e instanceof LpcvError && e.code === 'LPCV_E_POWER_READ') throw new LpcvError('LPCV_E_POWER_NO_SENSOR', e.message);
    throw e;
  }
  checkDischarging(first, 'at open');
  // A zero current decides nothing: the kernel ABI's convention (negative = discharging) then applies.
  const sign: CurrentSign = o.currentSign ?? (first.currentUa > 0 ? 1 : -1);
  const sampler = new PolledSampler({
    source: `android-battery:${dir}`,
    periodMs: o.periodMs ?? ANDROID_DEFAULT_PERIOD_MS,
    readWatts: async () => batteryWatts(await read(o.shell, dir), sign),
    now: o.now,
    timer: o.timer,
    onSample: o.onSample,
  });
  return Object.assign(sampler, { dischargeSign: sign });
}
