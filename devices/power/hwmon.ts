/**
 * Linux hwmon power rails (Documentation/hwmon/sysfs-interface.rst): /sys/class/hwmon/hwmonN/ holds `name`
 * (the driver or chip, e.g. ina226, irps5401) and, per channel, `power<N>_input` in microwatts, or a pair
 * `in<N>_input` (millivolts) and `curr<N>_input` (milliamps), each with an optional `*_label` (e.g. VCCINT,
 * pout1). This is how PYNQ reads the Ultra96's PMBus rails (through libsensors, i.e. these files).
 *
 * Which channels make rails: a device with any power<N>_input gives one rail per power channel (the chip's own
 * power register); a device without gives one rail per in<N>/curr<N> pair with the same N (watts = mV x mA /
 * 1e6). Mixing both would count a PMBus regulator's input and output rails twice.
 *
 * The parsing and selection are pure functions over `{file name: contents}`, exported so that a driver that
 * reads the same files elsewhere (the SSH board driver, through a shell loop on the board) converts them with
 * exactly this code: `hwmonDeviceFromFiles` -> `selectHwmonRails` once, then `railWatts` per reading.
 */
import path from 'node:path';
import { LpcvError } from '../../errors/lpcv-error.js';
import { PolledSampler } from './polled-sampler.js';
import type { PowerSample } from './power-sampler.js';
import type { Clock, Timer } from './poller.js';
import { listDir, parseInteger, readAttribute } from './sysfs.js';

/** PYNQ sampled the Ultra96's rails every 50 ms in the 2021 FPGA track. */
export const HWMON_DEFAULT_PERIOD_MS = 50;

export interface HwmonRail {
  /** power<N> (microwatts) or in<N> (an in<N>/curr<N> pair). */
  readonly channel: string;
  readonly kind: 'power' | 'volt-amp';
  readonly label: string | undefined;
  /** The files a reading of this rail needs, relative to its device directory. */
  readonly files: readonly string[];
  /** The rail's power in the files it was parsed from. */
  readonly watts: number;
}

export interface HwmonDevice {
  /** The device directory (e.g. /sys/class/hwmon/hwmon2). */
  readonly dir: string;
  /** Its last path element (hwmon2). */
  readonly id: string;
  /** Contents of its `name` file. */
  readonly name: string;
  readonly rails: readonly HwmonRail[];
}

export interface SelectedRail {
  readonly device: HwmonDevice;
  readonly rail: HwmonRail;
  /** name/label, e.g. ina226/power1 or irps5401/VCCINT. */
  readonly description: string;
}

/** The attribute files a hwmon device directory is read for. */
export const HWMON_FILE = /^(name|(power|in|curr)\d+_(input|label))$/;

function value(files: Record<string, string>, file: string): number {
  const text = files[file];
  if (text === undefined) throw new LpcvError('LPCV_E_POWER_READ', `no ${file} among the hwmon files read`);
  return parseInteger(text, file);
}

/** Watts of one rail from its files' contents (only `rail.files` are needed). */
export function railWatts(rail: Pick<HwmonRail, 'channel' | 'kind'>, files: Record<string, string>): number {
  const n = rail.channel.replace(/^\D+/, '');
  if (rail.kind === 'power') return value(files, `power${n}_input`) / 1e6;
  return (value(files, `in${n}_input`) * value(files, `curr${n}_input`)) / 1e6;
}

/**
 * The rails in one hwmon device's files (file name -> contents, as `cat` prints them), with their watts:
 * power<N>_input channels if there are any, else in<N>/curr<N> pairs. [] when the device measures no power.
 */
export function hwmonRailWatts(files: Record<string, string>): HwmonRail[] {
  const channels = (prefix: string): number[] =>
    Object.keys(files)
      .map((f) => new RegExp(`^${prefix}(\\d+)_input$`).exec(f)?.[1])
      .filter((n): n is string => n !== undefined)
      .map(Number)
      .sort((a, b) => a - b);
  const label = (...names: string[]): string | undefined => {
    for (const f of names) if (files[f] !== undefined && files[f]!.trim() !== '') return files[f]!.trim();
    return undefined;
  };
  const power = channels('power');
  if (power.length > 0) {
    return power.map((n) => {
      const rail = { channel: `power${n}`, kind: 'power' as const, label: label(`power${n}_label`), files: [`power${n}_input`] };
      return { ...rail, watts: railWatts(rail, files) };
    });
  }
  const curr = new Set(channels('curr'));
  return channels('in')
    .filter((n) => curr.has(n))
    .map((n) => {
      const rail = { channel: `in${n}`, kind: 'volt-amp' as const, label: label(`in${n}_label`, `curr${n}_label`), files: [`in${n}_input`, `curr${n}_input`] };
      return { ...rail, watts: railWatts(rail, files) };
    });
}

export function hwmonDeviceFromFiles(dir: string, files: Record<string, string>): HwmonDevice {
  return { dir, id: path.basename(dir), name: (files.name ?? '').trim(), rails: hwmonRailWatts(files) };
}

function describe(d: HwmonDevice, r: HwmonRail): string {
  return `${d.name || d.id}/${r.label ?? r.channel}`;
}

function available(devices: readonly HwmonDevice[]): string {
  const rails = devices.flatMap((d) => d.rails.map((r) => `${describe(d, r)} (${d.id})`));
  return rails.length > 0 ? rails.join(', ') : 'none';
}

/**
 * Chooses rails by a selector: terms separated by commas, their watts summed. A term is
 * `<device>[/<rail>]`, the device named by its directory name (hwmon2), its absolute path or its `name`
 * (ina226), the rail by its label (case-insensitive: VCCINT) or channel (power1, in2); or a bare rail label
 * looked up across all devices (VCCINT). Each term must name exactly one rail: a device with several rails
 * needs the rail, and a name that several devices share needs the directory. No selector: the one rail there
 * is, else a refusal listing them. Refusals are LPCV_E_POWER_NO_SENSOR and name what is there.
 */
export function selectHwmonRails(devices: readonly HwmonDevice[], selector?: string): SelectedRail[] {
  const withRails = devices.filter((d) => d.rails.length > 0);
  if (withRails.length === 0)
    throw new LpcvError(
      'LPCV_E_POWER_NO_SENSOR',
      `no hwmon device here measures power (${devices.length} device(s) without power or voltage/current channels)`,
    );
  const refuse = (msg: string): never => {
    throw new LpcvError('LPCV_E_POWER_NO_SENSOR', `${msg}; the power rails here are ${available(withRails)}`);
  };
  const one = (device: HwmonDevice, rails: readonly HwmonRail[], term: string): SelectedRail => {
    if (rails.length !== 1)
      refuse(`hwmon ${JSON.stringify(term)} has ${rails.length} rails: name one, e.g. ${device.id}/${rails[0]?.label ?? rails[0]?.channel}`);
    return { device, rail: rails[0]!, description: describe(device, rails[0]!) };
  };
  if (selector === undefined || selector.trim() === '') {
    const all = withRails.flatMap((d) => d.rails.map((r) => ({ device: d, rail: r, description: describe(d, r) })));
    if (all.length !== 1) refuse('name the hwmon rail to measure (power=hwmon:<device>[/<rail>])');
    return all;
  }
  const chosen: SelectedRail[] = [];
  for (const raw of selector.split(',')) {
    const term = raw.trim().replace(/(.)\/+$/, '$1');
    if (term === '') refuse(`the hwmon selector ${JSON.stringify(selector)} has an empty term`);
    const slash = term.startsWith('/') ? term.lastIndexOf('/') : term.indexOf('/');
    const asDevice = (d: HwmonDevice, key: string): boolean => d.id === key || d.dir === key || d.name === key;
    let devicePart = term;
    let railPart: string | undefined;
    let matches = withRails.filter((d) => asDevice(d, term));
    if (matches.length === 0 && slash > 0) {
      devicePart = term.slice(0, slash);
      railPart = term.slice(slash + 1);
      matches = withRails.filter((d) => asDevice(d, devicePart));
    }
    const railMatch = (r: HwmonRail, key: string): boolean => r.channel === key || r.label?.toLowerCase() === key.toLowerCase();
    if (matches.length === 0 && railPart === undefined) {
      const byLabel = withRails.flatMap((d) => d.rails.filter((r) => railMatch(r, term)).map((r) => ({ device: d, rail: r })));
      if (byLabel.length !== 1)
        refuse(
          byLabel.length === 0
            ? `no hwmon device or rail ${JSON.stringify(term)}`
            : `rail ${JSON.stringify(term)} is on ${byLabel.length} devices: name the device (${byLabel.map((x) => x.device.id).join(', ')})`,
        );
      chosen.push({ ...byLabel[0]!, description: describe(byLabel[0]!.device, byLabel[0]!.rail) });
      continue;
    }
    if (matches.length === 0) refuse(`no hwmon device ${JSON.stringify(devicePart)}`);
    if (matches.length > 1)
      refuse(`${matches.length} hwmon devices are called ${JSON.stringify(devicePart)}: name one by its directory (${matches.map((d) => d.id).join(', ')})`);
    const device = matches[0]!;
    const rails = railPart === undefined ? device.rails : device.rails.filter((r) => railMatch(r, railPart));
    if (railPart !== undefined && rails.length === 0) refuse(`hwmon ${device.id} (${device.name}) has no rail ${JSON.stringify(railPart)}`);
    chosen.push(one(device, rails, term));
  }
  const seen = new Set<string>();
  for (const c of chosen) {
    const key = `${c.device.dir}#${c.rail.channel}`;
    if (seen.has(key)) refuse(`the hwmon rail ${c.description} is named twice`);
    seen.add(key);
  }
  return chosen;
}

/** Reads one device directory's attribute files (name, *_input, *_label). */
export async function readHwmonDevice(dir: string): Promise<HwmonDevice> {
  const files: Record<string, string> = {};
  for (const f of await listDir(dir)) {
    if (HWMON_FILE.test(f)) files[f] = await readAttribute(path.join(dir, f), 'LPCV_E_POWER_NO_SENSOR');
  }
  return hwmonDeviceFromFiles(dir, files);
}

/** All devices under <root>/class/hwmon. */
export async function readHwmonDevices(root: string): Promise<HwmonDevice[]> {
  const base = path.join(root, 'class', 'hwmon');
  const out: HwmonDevice[] = [];
  for (const id of await listDir(base)) if (/^hwmon\d+$/.test(id)) out.push(await readHwmonDevice(path.join(base, id)));
  return out;
}

export interface SysfsRailSamplerOptions {
  readonly periodMs?: number;
  readonly now?: Clock;
  readonly timer?: Timer;
  readonly onSample?: (s: PowerSample) => void;
}

/** A sampler summing the selected rails, re-reading only their input files each period. */
export function railSampler(
  source: string,
  rails: readonly SelectedRail[],
  o: SysfsRailSamplerOptions,
  defaultPeriodMs: number,
  toWatts: (rail: HwmonRail, files: Record<string, string>) => number = railWatts,
): PolledSampler {
  const readWatts = async (): Promise<number> => {
    let watts = 0;
    for (const { device, rail } of rails) {
      const files: Record<string, string> = {};
      for (const f of rail.files) files[f] = await readAttribute(path.join(device.dir, f));
      watts += toWatts(rail, files);
    }
    return watts;
  };
  return new PolledSampler({ source, periodMs: o.periodMs ?? defaultPeriodMs, readWatts, now: o.now, timer: o.timer, onSample: o.onSample });
}

export interface HwmonOptions extends SysfsRailSamplerOptions {
  /** The sysfs mount point (default /sys); tests point it at a fixture tree. */
  readonly root?: string;
  /** Which rails (see selectHwmonRails). */
  readonly select?: string;
}

export interface HwmonSampler extends PolledSampler {
  readonly rails: readonly SelectedRail[];
}

async function deviceAtPath(term: string): Promise<HwmonDevice> {
  // /sys/class/hwmon/hwmon2 or /sys/class/hwmon/hwmon2/VCCINT: the device is the folder that has a name file.
  const clean = term.replace(/\/+$/, '');
  for (const dir of [clean, path.dirname(clean)]) {
    const names = await listDir(dir);
    if (names.includes('name')) return readHwmonDevice(dir);
  }
  throw new LpcvError('LPCV_E_POWER_NO_SENSOR', `${clean} is not a hwmon device directory (no name file there or in its parent)`);
}

/** Finds and probes the rails (their files are read once here), then samples them every period. */
export async function openHwmonSampler(o: HwmonOptions = {}): Promise<HwmonSampler> {
  const root = o.root ?? '/sys';
  const devices = await readHwmonDevices(root);
  for (const term of (o.select ?? '').split(',').map((t) => t.trim())) {
    if (!term.startsWith('/')) continue;
    const device = await deviceAtPath(term);
    if (!devices.some((d) => d.dir === device.dir)) devices.push(device);
  }
  if (devices.length === 0) throw new LpcvError('LPCV_E_POWER_NO_SENSOR', `no hwmon devices under ${path.join(root, 'class', 'hwmon')}`);
  const rails = selectHwmonRails(devices, o.select);
  const source = `hwmon:${rails.map((r) => r.description).join('+')}`;
  return Object.assign(railSampler(source, rails, o, HWMON_DEFAULT_PERIOD_MS), { rails });
}
