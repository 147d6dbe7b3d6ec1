/**
 * A device spec's `power=` value to a sampler (docs/power.md, "Choosing a source"):
 *
 *   none                      no sampler: energy null, the note says the device was configured without one
 *   rapl[:<zone>]             Linux RAPL powercap zone (default package-0): intel-rapl:0, psys, ...
 *   hwmon[:<selector>]        hwmon rails (see selectHwmonRails): ina226, hwmon2/pout1, VCCINT, a,b summed
 *   pynq[:<selector>]         the Ultra96 + PYNQ board: hwmon rails, default the ina226 input monitor
 *   ina3221[:<path or rail>]  Jetson INA3221 (default the module's input rail)
 *   nvidia-smi[:<gpu>]        NVIDIA board power through nvidia-smi (default GPU 0)
 *   scpi://host:port[?element=N]  a WT300-class meter over SCPI on TCP
 *   android[:<dir>]           an Android phone's battery (needs the device shell: deps.shell)
 *
 * `parsePowerSpec` only parses (LPCV_E_POWER_SPEC for a bad value), so that a driver reading sensors elsewhere
 * (an SSH board) can decide what to read without opening anything here. `openPowerSampler` parses and then
 * probes the sensor at once (files there, tool answers, meter answers): LPCV_E_POWER_NO_SENSOR when it is not
 * there. `openPowerSamplerOrNote` turns exactly that into "no sampler, and this note" for the energy-null
 * record, and lets a bad spec through as the usage error it is.
 */
import { LpcvError, isLpcvError } from '../../errors/lpcv-error.js';
import { openAndroidBatterySampler, type DeviceShell } from './android-battery.js';
import { openHwmonSampler } from './hwmon.js';
import { openIna3221Sampler } from './ina3221.js';
import { openNvidiaSmiSampler } from './nvidia-smi.js';
import type { PowerSampler } from './power-sampler.js';
import type { Clock, Timer } from './poller.js';
import { openRaplSampler } from './rapl.js';
import { openScpiMeterSampler } from './scpi-meter.js';

/** The hwmon selector `pynq` means without one (not confirmed on a real Ultra96-V2: docs/power.md). */
export const PYNQ_DEFAULT_SELECTOR = 'ina226';

export type PowerSourceSpec =
  | { readonly kind: 'none' }
  | { readonly kind: 'rapl'; readonly zone?: string }
  | { readonly kind: 'hwmon'; readonly select?: string }
  | { readonly kind: 'ina3221'; readonly select?: string }
  | { readonly kind: 'nvidia-smi'; readonly gpu?: number }
  | { readonly kind: 'scpi'; readonly host: string; readonly port: number; readonly element?: number | 'SIGMA' }
  | { readonly kind: 'android'; readonly dir?: string };

const FORMS = 'none, rapl[:zone], hwmon[:selector], pynq[:selector], ina3221[:path or rail], nvidia-smi[:gpu], scpi://host:port, android[:dir]';

function bad(spec: string, why: string): never {
  throw new LpcvError('LPCV_E_POWER_SPEC', `power=${spec}: ${why} (expected one of ${FORMS})`);
}

export function parsePowerSpec(spec: string): PowerSourceSpec {
  const s = spec.trim();
  if (s === '') bad(spec, 'empty');
  if (/^scpi:/i.test(s)) {
    let url: URL;
    try {
      url = new URL(s);
    } catch {
      return bad(spec, 'not a scpi://host:port address');
    }
    const port = Number(url.port);
    if (url.hostname === '' || !Number.isInteger(port) || port < 1 || port > 65535 || url.port === '') bad(spec, 'a meter address needs a host and a port, e.g. scpi://10.0.0.5:10001');
    if (url.pathname !== '' && url.pathname !== '/') bad(spec, 'a meter address has no path');
    const el = url.searchParams.get('element');
    for (const key of url.searchParams.keys()) if (key !== 'element') bad(spec, `unknown meter setting ${key}`);
    let element: number | 'SIGMA' | undefined;
    if (el !== null) {
      if (el.toUpperCase() === 'SIGMA') element = 'SIGMA';
      else if (/^[1-3]$/.test(el)) element = Number(el);
      else bad(spec, `element must be 1, 2, 3 or SIGMA, not ${el}`);
    }
    return { kind: 'scpi', host: url.hostname.replace(/^\[|\]$/g, ''), port, ...(element !== undefined ? { element } : {}) };
  }
  const colon = s.indexOf(':');
  const name = (colon < 0 ? s : s.slice(0, colon)).toLowerCase();
  const arg = colon < 0 ? undefined : s.slice(colon + 1).trim();
  if (arg === '') bad(spec, `nothing after "${name}:"`);
  switch (name) {
    case 'none':
      if (arg !== undefined) bad(spec, 'none takes no setting');
      return { kind: 'none' };
    case 'rapl':
      return { kind: 'rapl', ...(arg ? { zone: arg } : {}) };
    case 'hwmon':
      return { kind: 'hwmon', ...(arg ? { select: arg } : {}) };
    case 'pynq':
      return { kind: 'hwmon', select: arg ?? PYNQ_DEFAULT_SELECTOR };
    case 'ina3221':
      return { kind: 'ina3221', ...(arg ? { select: arg } : {}) };
    case 'nvidia-smi':
    case 'nvidia':
      if (arg !== undefined && !/^\d{1,2}$/.test(arg)) bad(spec, `a GPU index is a number, not ${arg}`);
      return { kind: 'nvidia-smi', ...(arg ? { gpu: Number(arg) } : {}) };
    case 'android':
      if (arg !== undefined && !arg.startsWith('/')) bad(spec, 'an Android power_supply folder is an absolute path');
      return { kind: 'android', ...(arg ? { dir: arg } : {}) };
    default:
      return bad(spec, `unknown power source "${name}"`);
  }
}

export interface PowerSamplerDeps {
  /** The sysfs mount point (default /sys). */
  readonly root?: string;
  /** The device's shell (adb shell) for `android`. */
  readonly shell?: DeviceShell;
  /** nvidia-smi's path (default on PATH). */
  readonly nvidiaSmi?: string;
  /** The track's power.periodMs. */
  readonly periodMs?: number;
  readonly now?: Clock;
  readonly timer?: Timer;
}

/** Parses and probes; undefined for `none`. */
export async function openPowerSampler(spec: string, deps: PowerSamplerDeps = {}): Promise<PowerSampler | undefined> {
  const p = parsePowerSpec(spec);
  const common = { periodMs: deps.periodMs, now: deps.now, timer: deps.timer };
  switch (p.kind) {
    case 'none':
      return undefined;
    case 'rapl':
      return openRaplSampler({ ...common, root: deps.root, zone: p.zone });
    case 'hwmon':
      return openHwmonSampler({ ...common, root: deps.root, select: p.select });
    case 'ina3221':
      return openIna3221Sampler({ ...common, root: deps.root, select: p.select });
    case 'nvidia-smi':
      return openNvidiaSmiSampler({ periodMs: deps.periodMs, now: deps.now, executable: deps.nvidiaSmi, gpu: p.gpu });
    case 'scpi':
      return openScpiMeterSampler({ ...common, host: p.host, port: p.port, element: p.element });
    case 'android':
      if (!deps.shell) throw new LpcvError('LPCV_E_POWER_SPEC', `power=${spec}: android power is read through the phone's shell, and this device has none (use it on adb:// devices)`);
      return openAndroidBatterySampler({ ...common, shell: deps.shell, dir: p.dir });
  }
}

export interface SamplerOrNote {
  readonly sampler?: PowerSampler;
  /** Why there is no sampler (for the record's energyNote). */
  readonly note?: string;
}

/** Like openPowerSampler, but a missing sensor (and `none`) becomes a note for energy null. */
export async function openPowerSamplerOrNote(spec: string | undefined, deps: PowerSamplerDeps = {}): Promise<SamplerOrNote> {
  if (spec === undefined) return { note: 'no power source is configured for this device (power=...)' };
  try {
    const sampler = await openPowerSampler(spec, deps);
    return sampler ? { sampler } : { note: 'the device is configured without a power sensor (power=none)' };
  } catch (e) {
    if (isLpcvError(e) && e.code === 'LPCV_E_POWER_NO_SENSOR') return { note: `no power sensor: ${e.message}` };
    throw e;
  }
}
