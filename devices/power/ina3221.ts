/**
 * The Jetson boards' TI INA3221 power monitor (three channels, e.g. Nano: POM_5V_IN, POM_5V_GPU, POM_5V_CPU),
 * in the two sysfs forms L4T has used:
 * - older L4T (32.x, the `ina3221x` IIO driver from NVIDIA's tree):
 *   /sys/bus/i2c/drivers/ina3221x/<bus>-0040/iio:device<N>/ with `rail_name_<c>` and `in_power<c>_input`
 *   (milliwatts), `in_current<c>_input` (mA), `in_voltage<c>_input` (mV), channels c = 0..2;
 * - newer L4T (34 and later, the mainline `ina3221` hwmon driver):
 *   /sys/bus/i2c/drivers/ina3221/<bus>-0040/hwmon/hwmon<N>/ with `in<c>_label`, `in<c>_input` (bus voltage, mV)
 *   and `curr<c>_input` (mA), channels c = 1..3 (in4..in6 are shunt voltages, no rail): read as hwmon pairs.
 * The IIO form's files become rails with `ina3221IioRails(files)`, a pure function like hwmon.ts's
 * hwmonRailWatts, which reads the hwmon form.
 *
 * Default rail: the module's input (VDD_IN, POM_5V_IN or 5V_IN, whichever the board has), the whole-module
 * power the Jetson guides quote; another rail is named by its label.
 */
import path from 'node:path';
import { LpcvError } from '../../errors/lpcv-error.js';
import { railSampler, readHwmonDevice, type HwmonDevice, type HwmonRail, type SelectedRail, type SysfsRailSamplerOptions } from './hwmon.js';
import type { PolledSampler } from './polled-sampler.js';
import { listDir, parseInteger, readAttribute } from './sysfs.js';

export const INA3221_DEFAULT_PERIOD_MS = 50;
/** Input rails, in the order they are looked for when no rail is named. */
export const INA3221_INPUT_RAILS = ['VDD_IN', 'POM_5V_IN', '5V_IN'] as const;

const IIO_FILE = /^(rail_name_\d+|in_(power|current|voltage)\d+_input)$/;

function int(files: Record<string, string>, f: string): number {
  const text = files[f];
  if (text === undefined) throw new LpcvError('LPCV_E_POWER_READ', `no ${f} among the ina3221 files read`);
  return parseInteger(text, f);
}

/** Watts of one INA3221 rail from its files (either form). */
export function ina3221RailWatts(rail: Pick<HwmonRail, 'channel' | 'kind' | 'files'>, files: Record<string, string>): number {
  const c = rail.channel.replace(/^\D+/, '');
  if (rail.channel.startsWith('in_power')) return int(files, `in_power${c}_input`) / 1e3;
  if (rail.channel.startsWith('in_voltage')) return (int(files, `in_voltage${c}_input`) * int(files, `in_current${c}_input`)) / 1e6;
  return rail.kind === 'power' ? int(files, `power${c}_input`) / 1e6 : (int(files, `in${c}_input`) * int(files, `curr${c}_input`)) / 1e6;
}

/** The IIO form's rails: in_power<c>_input (mW) where present, else in_voltage x in_current. */
export function ina3221IioRails(files: Record<string, string>): HwmonRail[] {
  const chans = new Set<number>();
  for (const f of Object.keys(files)) {
    const m = /^(?:rail_name_|in_(?:power|current|voltage))(\d+)(?:_input)?$/.exec(f);
    if (m) chans.add(Number(m[1]));
  }
  const rails: HwmonRail[] = [];
  for (const c of [...chans].sort((a, b) => a - b)) {
    const label = files[`rail_name_${c}`]?.trim() || undefined;
    let rail: Omit<HwmonRail, 'watts'>;
    if (files[`in_power${c}_input`] !== undefined) rail = { channel: `in_power${c}`, kind: 'power', label, files: [`in_power${c}_input`] };
    else if (files[`in_voltage${c}_input`] !== undefined && files[`in_current${c}_input`] !== undefined) {
      rail = { channel: `in_voltage${c}`, kind: 'volt-amp', label, files: [`in_voltage${c}_input`, `in_current${c}_input`] };
    } else continue;
    rails.push({ ...rail, watts: ina3221RailWatts(rail, files) });
  }
  return rails;
}

async function readIioDevice(dir: string): Promise<HwmonDevice> {
  const files: Record<string, string> = {};
  for (const f of await listDir(dir)) if (IIO_FILE.test(f)) files[f] = await readAttribute(path.join(dir, f), 'LPCV_E_POWER_NO_SENSOR');
  return { dir, id: path.basename(dir), name: 'ina3221', rails: ina3221IioRails(files) };
}

async function readDevice(dir: string): Promise<HwmonDevice> {
  const names = await listDir(dir);
  if (names.some((f) => IIO_FILE.test(f))) return readIioDevice(dir);
  const d = await readHwmonDevice(dir);
  return { ...d, name: d.name || 'ina3221' };
}

/** Every INA3221 device directory under the two driver folders. */
export async function findIna3221Devices(root: string): Promise<HwmonDevice[]> {
  const out: HwmonDevice[] = [];
  const iioBase = path.join(root, 'bus', 'i2c', 'drivers', 'ina3221x');
  for (const dev of await listDir(iioBase)) {
    for (const sub of await listDir(path.join(iioBase, dev))) if (/^iio:device\d+$/.test(sub)) out.push(await readDevice(path.join(iioBase, dev, sub)));
  }
  const hwBase = path.join(root, 'bus', 'i2c', 'drivers', 'ina3221');
  for (const dev of await listDir(hwBase)) {
    for (const sub of await listDir(path.join(hwBase, dev, 'hwmon')))
      if (/^hwmon\d+$/.test(sub)) out.push(await readDevice(path.join(hwBase, dev, 'hwmon', sub)));
  }
  return out.filter((d) => d.rails.length > 0);
}

function pickRail(devices: readonly HwmonDevice[], rail: string | undefined): SelectedRail {
  const all = devices.flatMap((device) => device.rails.map((r) => ({ device, rail: r })));
  const have = all.map((x) => `${x.rail.label ?? x.rail.channel} (${x.device.dir})`).join(', ') || 'none';
  const wanted = rail === undefined ? [...INA3221_INPUT_RAILS] : [rail];
  for (const w of wanted) {
    const hits = all.filter((x) => x.rail.label?.toLowerCase() === w.toLowerCase() || x.rail.channel === w);
    if (hits.length > 1)
      throw new LpcvError(
        'LPCV_E_POWER_NO_SENSOR',
        `the INA3221 rail ${w} is on ${hits.length} devices: name the device's path (${hits.map((h) => h.device.dir).join(', ')})`,
      );
    if (hits.length === 1) return { ...hits[0]!, description: hits[0]!.rail.label ?? hits[0]!.rail.channel };
  }
  throw new LpcvError('LPCV_E_POWER_NO_SENSOR', `no INA3221 rail ${rail ?? INA3221_INPUT_RAILS.join(' or ')}; the rails here are ${have}`);
}

export interface Ina3221Options extends SysfsRailSamplerOptions {
  /** The sysfs mount point (default /sys). */
  readonly root?: string;
  /** A device directory (either form), a rail label (VDD_IN, POM_5V_GPU), or a directory followed by /<label>. */
  readonly select?: string;
}

export interface Ina3221Sampler extends PolledSampler {
  readonly rail: SelectedRail;
}

export async function openIna3221Sampler(o: Ina3221Options = {}): Promise<Ina3221Sampler> {
  const select = o.select?.trim() || undefined;
  let devices: HwmonDevice[];
  let rail: string | undefined = select;
  if (select?.startsWith('/')) {
    const clean = select.replace(/\/+$/, '');
    const here = await readDevice(clean);
    if (here.rails.length > 0) {
      devices = [here];
      rail = undefined;
    } else {
      devices = [await readDevice(path.dirname(clean))];
      rail = path.basename(clean);
      if (devices[0]!.rails.length === 0)
        throw new LpcvError('LPCV_E_POWER_NO_SENSOR', `${clean} is not an INA3221 device directory (no rail files there or in its parent)`);
    }
  } else {
    devices = await findIna3221Devices(o.root ?? '/sys');
    if (devices.length === 0)
      throw new LpcvError(
        'LPCV_E_POWER_NO_SENSOR',
        `no INA3221 power monitor under ${path.join(o.root ?? '/sys', 'bus', 'i2c', 'drivers')} (ina3221x or ina3221)`,
      );
  }
  const chosen = pickRail(devices, rail);
  const sampler = railSampler(`ina3221:${chosen.description}`, [chosen], o, INA3221_DEFAULT_PERIOD_MS, ina3221RailWatts);
  return Object.assign(sampler, { rail: chosen });
}
