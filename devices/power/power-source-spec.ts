/**
 * The one grammar of a device spec's `power=` value (docs/power.md, "Choosing a source"), for every driver:
 *
 *   none                                   no sampler: energy null, the note says why
 *   rapl[:<zone>]                          Linux RAPL powercap zone (default package-0): intel-rapl:0:1, psys
 *   hwmon[:<rails>]                        hwmon rails (devices/power/hwmon.ts selectHwmonRails): ina226,
 *                                          hwmon2/pout1, VCCINT, a path; comma-separated terms are summed
 *   pynq[:<rails>]                         hwmon on an Ultra96 + PYNQ board: default the ina226 monitor
 *   ina3221[:<path or rail>]               Jetson INA3221 (default the module's input rail)
 *   nvidia-smi[:<gpu>]                     NVIDIA board power through nvidia-smi (default GPU 0; also nvidia)
 *   scpi://<host>:<port>[?element=N]       a WT300-class meter over SCPI on TCP, reached from the agent's host
 *   battery[:<power_supply folder>]        an Android phone's battery, read through its adb shell
 *
 * Each driver says which kinds it takes (a `DriverPowerSources` table beside its spec parser) and
 * `parsePowerSource` refuses the others there, at start-up, naming what that driver takes: a desktop has no
 * phone battery, a board's meter is on the agent's side but its rails are on the board. One error code for
 * every refusal, LPCV_E_POWER_SPEC (a usage error), naming the setting, the value and what is allowed.
 */
import { LpcvError } from '../../errors/lpcv-error.js';

/** The hwmon selector `pynq` means without one (not confirmed on a real Ultra96-V2: docs/power.md). */
export const PYNQ_DEFAULT_SELECTOR = 'ina226';

export type PowerSourceSpec =
  | { readonly kind: 'none' }
  | { readonly kind: 'rapl'; readonly zone?: string }
  | { readonly kind: 'hwmon'; readonly select?: string }
  | { readonly kind: 'ina3221'; readonly select?: string }
  | { readonly kind: 'nvidia-smi'; readonly gpu?: number }
  | { readonly kind: 'scpi'; readonly host: string; readonly port: number; readonly element?: number | 'SIGMA' }
  | { readonly kind: 'battery'; readonly dir?: string };

export type PowerSourceKind = PowerSourceSpec['kind'];
export type PowerSourceOf<K extends PowerSourceKind> = Extract<PowerSourceSpec, { readonly kind: K }>;

/** How each kind is written, as the refusals and docs/power.md list them. */
export const POWER_SOURCE_FORMS: Readonly<Record<PowerSourceKind, string>> = {
  none: 'none',
  rapl: 'rapl[:<zone>]',
  hwmon: 'hwmon[:<rails>]|pynq[:<rails>]',
  ina3221: 'ina3221[:<path or rail>]',
  'nvidia-smi': 'nvidia-smi[:<gpu>]',
  scpi: 'scpi://<host>:<port>[?element=1|2|3|SIGMA]',
  battery: 'battery[:<power_supply folder>]',
};

/** Which sources a driver takes: its table, stated beside its spec parser. */
export interface DriverPowerSources<K extends PowerSourceKind> {
  /** Who takes them, as a refusal says it: "desktop devices", "ssh boards", "adb phones". */
  readonly who: string;
  /** In the order the refusal lists them. */
  readonly kinds: readonly K[];
}

/** What a driver takes, one string: `hwmon[:<rails>]|pynq[:<rails>]|scpi://...|none`. */
export function allowedPowerForms(d: DriverPowerSources<PowerSourceKind>): string {
  return d.kinds.map((k) => POWER_SOURCE_FORMS[k]).join('|');
}

/** The names a value may start with, and the kind each one is. */
const NAMES: Readonly<Record<string, PowerSourceKind>> = {
  none: 'none',
  rapl: 'rapl',
  hwmon: 'hwmon',
  pynq: 'hwmon',
  ina3221: 'ina3221',
  'nvidia-smi': 'nvidia-smi',
  nvidia: 'nvidia-smi',
  scpi: 'scpi',
  battery: 'battery',
};

function parseScpi(s: string, bad: (why: string) => never): PowerSourceOf<'scpi'> {
  let url: URL;
  try {
    url = new URL(s);
  } catch {
    return bad('not a scpi://<host>:<port> address');
  }
  const port = Number(url.port);
  if (url.hostname === '' || url.port === '' || !Number.isInteger(port) || port < 1 || port > 65535)
    bad('a meter address needs a host and a port, e.g. scpi://10.0.0.5:10001');
  if (url.pathname !== '' && url.pathname !== '/') bad('a meter address has no path');
  if (url.username !== '' || url.password !== '' || url.hash !== '') bad('a meter address has no user, password or #fragment');
  for (const key of url.searchParams.keys()) if (key !== 'element') bad(`unknown meter setting ${key} (the one setting is element=1|2|3|SIGMA)`);
  const el = url.searchParams.get('element');
  let element: number | 'SIGMA' | undefined;
  if (el !== null) {
    if (el.toUpperCase() === 'SIGMA') element = 'SIGMA';
    else if (/^[1-3]$/.test(el)) element = Number(el);
    else bad(`element must be 1, 2, 3 or SIGMA, not ${el}`);
  }
  return { kind: 'scpi', host: url.hostname.replace(/^\[|\]$/g, ''), port, ...(element !== undefined ? { element } : {}) };
}

/** A selector of comma-separated terms (hwmon rails): no empty term, no control characters in a path. */
function railSelector(arg: string, bad: (why: string) => never): string {
  const terms = arg.split(',').map((t) => t.trim());
  if (terms.some((t) => t === '')) bad('an empty rail between commas');
  if (terms.some((t) => /[\u0000-\u001f]/.test(t))) bad('a rail with a control character');
  return terms.join(',');
}

/** Parses any form of the grammar, before the driver's table is looked at. */
function parseAnySource(s: string, bad: (why: string) => never): PowerSourceSpec {
  if (/^scpi:/i.test(s)) return parseScpi(s, bad);
  const colon = s.indexOf(':');
  const name = (colon < 0 ? s : s.slice(0, colon)).toLowerCase();
  const arg = colon < 0 ? undefined : s.slice(colon + 1).trim();
  if (!Object.hasOwn(NAMES, name)) return bad(`unknown power source "${name}"`);
  if (arg === '') bad(`nothing after "${name}:"`);
  switch (name) {
    case 'none':
      if (arg !== undefined) bad('none takes no setting');
      return { kind: 'none' };
    case 'rapl':
      return { kind: 'rapl', ...(arg ? { zone: arg } : {}) };
    case 'hwmon':
      return { kind: 'hwmon', ...(arg ? { select: railSelector(arg, bad) } : {}) };
    case 'pynq':
      return { kind: 'hwmon', select: arg ? railSelector(arg, bad) : PYNQ_DEFAULT_SELECTOR };
    case 'ina3221':
      return { kind: 'ina3221', ...(arg ? { select: arg } : {}) };
    case 'nvidia-smi':
    case 'nvidia':
      if (arg !== undefined && !/^\d{1,2}$/.test(arg)) bad(`a GPU index is a number, not ${arg}`);
      return { kind: 'nvidia-smi', ...(arg ? { gpu: Number(arg) } : {}) };
    case 'battery':
      if (arg !== undefined && (!arg.startsWith('/') || arg.includes('\0'))) bad('a power_supply folder on the phone is an absolute path');
      return { kind: 'battery', ...(arg ? { dir: arg } : {}) };
  }
  return bad(`unknown power source "${name}"`);
}

/**
 * A `power=` value to its source, if the driver takes it; LPCV_E_POWER_SPEC otherwise, naming the value and
 * what the driver takes. `where` (e.g. `device spec "ssh://pi@h?..."`) starts the message when given.
 */
export function parsePowerSource<K extends PowerSourceKind>(value: string, allowed: DriverPowerSources<K>, where?: string): PowerSourceOf<K> {
  const bad = (why: string): never => {
    const head = where === undefined ? '' : `${where}: `;
    throw new LpcvError('LPCV_E_POWER_SPEC', `${head}power=${JSON.stringify(value)}: ${why}; ${allowed.who} take power=${allowedPowerForms(allowed)}`);
  };
  const s = value.trim();
  if (s === '') bad('empty');
  const source = parseAnySource(s, bad);
  if (!(allowed.kinds as readonly PowerSourceKind[]).includes(source.kind)) bad(`${source.kind} is not a power source for ${allowed.who}`);
  return source as PowerSourceOf<K>;
}

/** A source written back in the grammar (capabilities, reports): `hwmon:ina226`, `scpi://10.0.0.5:10001`. */
export function powerSourceText(p: PowerSourceSpec): string {
  switch (p.kind) {
    case 'none':
      return 'none';
    case 'rapl':
      return p.zone === undefined ? 'rapl' : `rapl:${p.zone}`;
    case 'hwmon':
    case 'ina3221':
      return p.select === undefined ? p.kind : `${p.kind}:${p.select}`;
    case 'nvidia-smi':
      return p.gpu === undefined ? 'nvidia-smi' : `nvidia-smi:${p.gpu}`;
    case 'scpi':
      return `scpi://${p.host.includes(':') ? `[${p.host}]` : p.host}:${p.port}${p.element === undefined ? '' : `?element=${p.element}`}`;
    case 'battery':
      return p.dir === undefined ? 'battery' : `battery:${p.dir}`;
  }
}
