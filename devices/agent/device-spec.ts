import { LpcvError } from '../../errors/lpcv-error.js';

/** What the server accepts as a device name (server/http/agent-request-schemas.ts, docs/api.md "Devices"). */
export const DEVICE_NAME = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$/;

export type DeviceDriver = 'desktop' | 'ssh' | 'adb';

/**
 * A parsed device spec (docs/agents.md, "Device specs"): the driver, where the device is, and its settings.
 *   desktop[?name=..&kind=..&power=..]              this machine's CPU (ONNX; solution packages in a sandbox)
 *   ssh://user@host[:port][?key=..&kind=..&power=..] a board over SSH
 *   adb://SERIAL[?cores=4-7&power=battery]           an Android phone over adb
 * Settings are URL query parameters; each driver checks its own and refuses unknown ones.
 */
export interface DeviceSpec {
  readonly driver: DeviceDriver;
  /** The spec as written (for messages; never logged when it could hold a secret: specs hold paths, not secrets). */
  readonly text: string;
  /** user@host:port for ssh, the serial for adb, '' for desktop. */
  readonly address: string;
  readonly user?: string;
  readonly host?: string;
  readonly port?: number;
  readonly serial?: string;
  /** The device's name on the server, when the spec sets it (name=...). */
  readonly name?: string;
  /** Every other query parameter, for the driver. */
  readonly settings: Readonly<Record<string, string>>;
}

function bad(text: string, why: string): LpcvError {
  return new LpcvError('LPCV_E_DEVICE_SPEC', `device spec ${JSON.stringify(text)}: ${why}`);
}

function querySettings(text: string, query: URLSearchParams): { name?: string; settings: Record<string, string> } {
  const settings: Record<string, string> = {};
  let name: string | undefined;
  for (const [key, value] of query) {
    if (Object.hasOwn(settings, key) || (key === 'name' && name !== undefined)) throw bad(text, `setting ${key} is given twice`);
    if (key === 'name') {
      if (!DEVICE_NAME.test(value)) throw bad(text, `name=${JSON.stringify(value)}: expected 1-100 letters, digits, . _ : - (starting with a letter or digit)`);
      name = value;
    } else {
      settings[key] = value;
    }
  }
  return { ...(name !== undefined ? { name } : {}), settings };
}

/** Parses a device spec; a malformed one is LPCV_E_DEVICE_SPEC naming what is wrong. */
export function parseDeviceSpec(text: string): DeviceSpec {
  const trimmed = text.trim();
  if (trimmed === '') throw bad(text, 'empty');
  if (trimmed === 'desktop' || trimmed.startsWith('desktop?')) {
    const { name, settings } = querySettings(text, new URLSearchParams(trimmed.slice('desktop'.length + 1)));
    return { driver: 'desktop', text, address: '', ...(name !== undefined ? { name } : {}), settings };
  }
  const scheme = /^([a-z]+):\/\//.exec(trimmed)?.[1];
  if (scheme !== 'ssh' && scheme !== 'adb') throw bad(text, 'expected desktop, ssh://user@host[:port] or adb://SERIAL');
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    throw bad(text, 'not a valid URL');
  }
  if (url.hash !== '') throw bad(text, 'a # fragment means nothing here');
  if (url.password !== '') throw bad(text, 'passwords are not accepted in a device spec: use an SSH key (key=...)');
  const { name, settings } = querySettings(text, url.searchParams);
  const named = name !== undefined ? { name } : {};
  if (url.pathname !== '' && url.pathname !== '/') throw bad(text, `unexpected path ${url.pathname}`);
  if (scheme === 'ssh') {
    if (url.hostname === '') throw bad(text, 'no host');
    if (url.username === '') throw bad(text, 'no user: ssh://user@host');
    const port = url.port === '' ? 22 : Number(url.port);
    const user = decodeURIComponent(url.username);
    return { driver: 'ssh', text, address: `${user}@${url.hostname}:${port}`, user, host: url.hostname, port, ...named, settings };
  }
  // adb serials are case-sensitive; URL lower-cases the host, so take the serial from the text itself.
  if (url.username !== '') throw bad(text, 'adb:// takes a serial, not user@');
  const serial = /^adb:\/\/([^/?#]+)/.exec(trimmed)?.[1] ?? '';
  if (!/^[A-Za-z0-9._:-]{1,100}$/.test(serial)) throw bad(text, `serial ${JSON.stringify(serial)}: expected letters, digits, . _ : -`);
  return { driver: 'adb', text, address: serial, serial, ...named, settings };
}

/** Takes a setting out of a spec's settings, for drivers: what is left after all takes is refused. */
export class SpecSettings {
  readonly #left: Map<string, string>;
  constructor(readonly spec: DeviceSpec) {
    this.#left = new Map(Object.entries(spec.settings));
  }
  string(key: string): string | undefined {
    const v = this.#left.get(key);
    this.#left.delete(key);
    return v;
  }
  positiveInt(key: string): number | undefined {
    const v = this.string(key);
    if (v === undefined) return undefined;
    if (!/^[1-9][0-9]{0,8}$/.test(v)) throw bad(this.spec.text, `${key}=${JSON.stringify(v)}: expected a whole number > 0`);
    return Number(v);
  }
  /** Refuses whatever no driver code took. */
  done(): void {
    if (this.#left.size > 0) {
      throw bad(this.spec.text, `unknown setting(s) for the ${this.spec.driver} driver: ${[...this.#left.keys()].join(', ')}`);
    }
  }
}
