import { LpcvError } from '../../errors/lpcv-error.js';
import { parsePowerSource, type DriverPowerSources, type PowerSourceOf } from '../power/power-source-spec.js';
import { parseCores } from './cpu-mask.js';

/**
 * The device spec of a phone, as `lpcv agent --device` takes it:
 *
 *   adb://SERIAL?cores=4-7&threads=1&benchmark=/data/local/tmp/benchmark_model
 *               &runner=/data/local/tmp/lpcv_accuracy_runner&power=battery[:<dir>]|none&workdir=/data/local/tmp/lpcv
 *               &name=pixel4-a&kind=android
 *
 * SERIAL is what `adb devices` lists (percent-encoded if it has odd characters; `host:port` for adb over
 * TCP is fine as it is). Every key is optional; an unknown key is an error, so that a typo is not ignored.
 * `power=` is the one grammar of devices/power/power-source-spec.ts, with this driver's table of sources.
 */

/** The power sources of a phone: its battery, read through its adb shell, or nothing (energy null). */
export const ADB_POWER_SOURCES: DriverPowerSources<'battery' | 'none'> = { who: 'adb phones', kinds: ['battery', 'none'] };

export interface AndroidSpec {
  readonly serial: string;
  /** Cores benchmark_model and the runner are pinned to (a track's target.android.cores wins). */
  readonly cores?: readonly number[];
  /** The thread count the device reports at registration; a job runs with its track's protocol.threads. */
  readonly threads: number;
  readonly benchmarkPath: string;
  readonly runnerPath: string;
  readonly power: PowerSourceOf<'battery' | 'none'>;
  /** Where jobs get their folders on the phone (each job's is removed after it). */
  readonly workdir: string;
  readonly name?: string;
  readonly kind: string;
}

export const ANDROID_DEFAULTS = {
  benchmarkPath: '/data/local/tmp/benchmark_model',
  runnerPath: '/data/local/tmp/lpcv_accuracy_runner',
  workdir: '/data/local/tmp/lpcv',
  threads: 1,
  kind: 'android',
} as const;

const KEYS = new Set(['cores', 'threads', 'benchmark', 'runner', 'power', 'workdir', 'name', 'kind']);

export function parseAndroidSpec(spec: string): AndroidSpec {
  const bad = (why: string): LpcvError => new LpcvError('LPCV_E_ANDROID_SPEC', `device spec ${JSON.stringify(spec)}: ${why}`);
  if (!spec.startsWith('adb://')) throw bad('an Android device spec starts with adb://');
  const rest = spec.slice('adb://'.length);
  const q = rest.indexOf('?');
  let serial: string;
  try {
    serial = decodeURIComponent(q < 0 ? rest : rest.slice(0, q));
  } catch {
    throw bad('the serial is not valid percent-encoding');
  }
  if (serial === '' || serial.startsWith('-') || /[\s/]/.test(serial)) throw bad('no serial, or one with spaces, a slash or a leading -');
  const params = new URLSearchParams(q < 0 ? '' : rest.slice(q + 1));
  const seen = new Set<string>();
  for (const key of params.keys()) {
    if (!KEYS.has(key)) throw bad(`unknown key ${JSON.stringify(key)} (known: ${[...KEYS].join(', ')})`);
    if (seen.has(key)) throw bad(`${key} is given twice`);
    seen.add(key);
  }
  const absolute = (key: string, fallback: string): string => {
    const v = params.get(key) ?? fallback;
    if (!v.startsWith('/') || v.includes('\0')) throw bad(`${key}=${JSON.stringify(v)} must be an absolute path on the phone`);
    return v.length > 1 ? v.replace(/\/+$/, '') : v;
  };
  const threadsText = params.get('threads') ?? String(ANDROID_DEFAULTS.threads);
  if (!/^[1-9]\d{0,2}$/.test(threadsText)) throw bad(`threads=${JSON.stringify(threadsText)} is not a whole number from 1`);
  const power = parsePowerSource(params.get('power') ?? 'none', ADB_POWER_SOURCES, `device spec ${JSON.stringify(spec)}`);
  const name = params.get('name');
  if (name !== null && !/^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$/.test(name))
    throw bad(`name=${JSON.stringify(name)}: 1-100 letters, digits, . _ : - (starting with a letter or digit)`);
  const kind = params.get('kind') ?? ANDROID_DEFAULTS.kind;
  if (!/^[a-z0-9][a-z0-9-]*$/.test(kind)) throw bad(`kind=${JSON.stringify(kind)}: lower-case letters, digits and dashes`);
  const cores = params.get('cores');
  return {
    serial,
    ...(cores !== null ? { cores: parseCores(cores) } : {}),
    threads: Number(threadsText),
    benchmarkPath: absolute('benchmark', ANDROID_DEFAULTS.benchmarkPath),
    runnerPath: absolute('runner', ANDROID_DEFAULTS.runnerPath),
    power,
    workdir: absolute('workdir', ANDROID_DEFAULTS.workdir),
    ...(name !== null ? { name } : {}),
    kind,
  };
}
