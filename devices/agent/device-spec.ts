import { LpcvError } from '../../errors/lpcv-error.js';
import { DEVICE_NAME } from '../../harness/wire/index.js';

/** What the server accepts as a device name (server/http/agent-request-schemas.ts, docs/api.md "Devices"). */

export type DeviceDriver = 'desktop' | 'ssh' | 'adb' | 'aihub';

/**
 * A device spec (docs/agents.md, "Device specs"), told apart by its driver:
 *   desktop[?name=..&kind=..&power=..&solution=on|off]  this machine's CPU (ONNX; solution packages in a sandbox)
 *   ssh://user@host[:port][?...]                         a board over SSH (devices/ssh/ssh-spec.ts parses the rest)
 *   adb://SERIAL[?...]                                   an Android phone (devices/android/android-spec.ts parses the rest)
 *   aihub://NAME?device=...&runtime=...                  a Qualcomm AI Hub device (devices/aihub/aihub-spec.ts parses the rest)
 * The desktop's settings are URL query parameters, parsed here; the SSH and Android drivers parse and check
 * their whole spec themselves, so that each setting has one parser.
 */
export interface DeviceSpec {
  readonly driver: DeviceDriver;
  /** The spec as written (it holds paths, never secrets: passwords are refused by the drivers). */
  readonly text: string;
  /** The desktop's name=, when given. */
  readonly name?: string;
  /** The desktop's other settings. */
  readonly settings: Readonly<Record<string, string>>;
}

function bad(text: string, why: string): LpcvError {
  return new LpcvError('LPCV_E_DEVICE_SPEC', `device spec ${JSON.stringify(text)}: ${why}`);
}

/** Parses a device spec's driver (and a desktop's settings); a malformed one is LPCV_E_DEVICE_SPEC. */
export function parseDeviceSpec(text: string): DeviceSpec {
  const trimmed = text.trim();
  if (trimmed === '') throw bad(text, 'empty');
  if (trimmed === 'desktop' || trimmed.startsWith('desktop?')) {
    const settings: Record<string, string> = {};
    let name: string | undefined;
    for (const [key, value] of new URLSearchParams(trimmed.slice('desktop'.length + 1))) {
      if (Object.hasOwn(settings, key) || (key === 'name' && name !== undefined)) throw bad(text, `setting ${key} is given twice`);
      if (key !== 'name') settings[key] = value;
      else if (!DEVICE_NAME.test(value))
        throw bad(text, `name=${JSON.stringify(value)}: expected 1-100 letters, digits, . _ : - (starting with a letter or digit)`);
      else name = value;
    }
    return { driver: 'desktop', text: trimmed, ...(name !== undefined ? { name } : {}), settings };
  }
  if (trimmed.startsWith('ssh://')) return { driver: 'ssh', text: trimmed, settings: {} };
  if (trimmed.startsWith('adb://')) return { driver: 'adb', text: trimmed, settings: {} };
  if (trimmed.startsWith('aihub://')) return { driver: 'aihub', text: trimmed, settings: {} };
  throw bad(text, 'expected desktop, ssh://user@host[:port], adb://SERIAL or aihub://NAME?device=...&runtime=...');
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
