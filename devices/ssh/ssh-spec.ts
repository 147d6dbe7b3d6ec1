/**
 * The device spec of an SSH board, as `lpcv agent --device` takes it (docs/ssh-boards.md):
 *
 *   ssh://USER@HOST[:PORT]?key=/path/id_ed25519&kind=ultra96-v2[&known_hosts=/path]
 *      [&power=hwmon[:RAILS]|pynq[:RAILS]|scpi://METER:PORT[?element=N]|none][&hwmon_root=/sys]
 *      [&workdir=/tmp/lpcv][&name=...][&period_ms=50][&connect_timeout_s=10]
 *      [&drop_caches_cmd=...][&lock_cmd=...&unlock_cmd=...]
 *
 * Parsed with WHATWG URL, validated once at start-up, frozen. Unknown keys are refused (a typo such as
 * `powr=none` must not silently measure without power), and so is a password: boards are reached with keys.
 * `power=` is the one grammar of devices/power/power-source-spec.ts, with this driver's table of sources.
 */
import os from 'node:os';
import path from 'node:path';
import { LpcvError } from '../../errors/lpcv-error.js';
import { SCPI_DEFAULT_PERIOD_MS } from '../power/scpi-meter.js';
import { allowedPowerForms, parsePowerSource, type DriverPowerSources, type PowerSourceOf } from '../power/power-source-spec.js';

/**
 * The power sources of a board: its hwmon rails, read by a shell loop on the board (the selector is
 * devices/power/hwmon.ts's, applied to the board's devices under `<root>/class/hwmon`); a meter on the
 * board's supply, read from the agent's host (the board's run window is carried over to the host's clock:
 * devices/ssh/board-meter.ts); or nothing (energy null).
 */
export const SSH_POWER_SOURCES: DriverPowerSources<'hwmon' | 'scpi' | 'none'> = { who: 'ssh boards', kinds: ['hwmon', 'scpi', 'none'] };

export type BoardPower = PowerSourceOf<'none' | 'scpi'> | (PowerSourceOf<'hwmon'> & { readonly root: string });

export interface SshBoardSpec {
  readonly user: string;
  readonly host: string;
  readonly port: number;
  /** The private key on the agent's host (never a password). */
  readonly key: string;
  /** known_hosts with the board's host key; StrictHostKeyChecking=yes refuses any other key. */
  readonly knownHosts: string;
  /** The target kind jobs are leased for (track.target.kind): ultra96-v2, jetson-nano, raspberry-pi, ... */
  readonly kind: string;
  readonly name: string;
  readonly power: BoardPower;
  /** Absolute folder on the board under which each run gets a fresh folder (removed after the run). */
  readonly workdir: string;
  /** The power sampling period: the board-side loop's (the 2021 FPGA track read the PMBus rails every 50 ms) or the meter's. */
  readonly periodMs: number;
  readonly connectTimeoutS: number;
  /** Shell command run on the board when the track asks for a dropped page cache. */
  readonly dropCachesCommand: string;
  /** Shell commands that cut and restore the board's network except the SSH session; none by default. */
  readonly lockCommand?: string;
  readonly unlockCommand?: string;
}

/** The keys a spec may have, and what each means (printed when a key is unknown). */
export const SSH_SPEC_KEYS: Readonly<Record<string, string>> = {
  key: 'path of the private key on this host (required)',
  kind: 'target kind, e.g. ultra96-v2, jetson-nano, raspberry-pi (required)',
  known_hosts: 'known_hosts file holding the board host key (default ~/.ssh/known_hosts)',
  power: `${allowedPowerForms(SSH_POWER_SOURCES)}: the board's hwmon rails (a device name, hwmonN, a path, /label; comma-separated, summed), a meter reached from this host, or none (default none)`,
  hwmon_root: 'sysfs mount point on the board that power=hwmon reads (default /sys)',
  workdir: 'absolute folder on the board for the runs (default /tmp/lpcv)',
  name: 'device name registered with the server (default ssh-<host>)',
  period_ms: `power sampling period in ms (default 50 for hwmon rails, ${SCPI_DEFAULT_PERIOD_MS} for a meter)`,
  connect_timeout_s: 'ssh ConnectTimeout in seconds (default 10)',
  drop_caches_cmd: 'command that drops the page cache (default: sync; echo 3 > /proc/sys/vm/drop_caches)',
  lock_cmd: 'command that locks the board network for a run (keeping the SSH session); with unlock_cmd',
  unlock_cmd: 'command that restores the network after the run; with lock_cmd',
};

export const DEFAULT_DROP_CACHES = 'sync; echo 3 > /proc/sys/vm/drop_caches';

function bad(spec: string, why: string): LpcvError {
  return new LpcvError('LPCV_E_SSH_SPEC', `device spec ${JSON.stringify(redact(spec))}: ${why}`, { keys: Object.keys(SSH_SPEC_KEYS) });
}

/** The spec without a password, should one have been written into it. */
function redact(spec: string): string {
  return spec.replace(/^(ssh:\/\/[^:@/?]*):[^@/?]*@/, '$1:***@');
}

function positive(spec: string, key: string, raw: string | null, fallback: number, max: number): number {
  if (raw === null) return fallback;
  const n = Number(raw);
  if (!(/^\d+$/.test(raw) && n >= 1 && n <= max)) throw bad(spec, `${key} must be a whole number from 1 to ${max}, got ${JSON.stringify(raw)}`);
  return n;
}

function absolutePath(spec: string, key: string, p: string): string {
  if (!p.startsWith('/') || p.includes('\0') || p.includes('\n')) throw bad(spec, `${key} must be an absolute path, got ${JSON.stringify(p)}`);
  return p;
}

function parsePower(spec: string, raw: string | null, root: string | null): BoardPower {
  const source = parsePowerSource(raw ?? 'none', SSH_POWER_SOURCES, `device spec ${JSON.stringify(redact(spec))}`);
  if (source.kind !== 'hwmon') {
    if (root !== null) throw bad(spec, 'hwmon_root is for power=hwmon');
    return source;
  }
  return { ...source, root: path.posix.normalize(absolutePath(spec, 'hwmon_root', root ?? '/sys')) };
}

function expandHome(p: string): string {
  return p === '~' || p.startsWith('~/') ? path.join(os.homedir(), p.slice(1)) : p;
}

export function parseSshSpec(spec: string): SshBoardSpec {
  let url: URL;
  try {
    url = new URL(spec);
  } catch {
    throw bad(spec, 'not a URL of the form ssh://user@host[:port]?key=...&kind=...');
  }
  if (url.protocol !== 'ssh:') throw bad(spec, `the scheme must be ssh://, got ${url.protocol}//`);
  if (url.password !== '') throw bad(spec, 'has a password: boards are reached with a key (key=/path/id_ed25519), never a password');
  if (url.pathname !== '' && url.pathname !== '/') throw bad(spec, `has a path (${url.pathname}): use workdir= for the folder on the board`);
  if (url.hash !== '') throw bad(spec, 'has a #fragment');
  const user = decodeURIComponent(url.username);
  if (!/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$/.test(user)) throw bad(spec, 'needs a user name (ssh://user@host), letters, digits, _ . -');
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  if (!/^(?!-)[A-Za-z0-9.:-]+$/.test(host)) throw bad(spec, `the host ${JSON.stringify(url.hostname)} is not a host name or an IP address`);
  const port = positive(spec, 'port', url.port === '' ? null : url.port, 22, 65535);

  const q = url.searchParams;
  for (const k of new Set(q.keys())) {
    if (!(k in SSH_SPEC_KEYS)) throw bad(spec, `unknown key ${JSON.stringify(k)} (the keys are ${Object.keys(SSH_SPEC_KEYS).join(', ')})`);
    if (q.getAll(k).length > 1) throw bad(spec, `the key ${k} is given twice`);
  }
  const key = q.get('key');
  if (key === null || key === '') throw bad(spec, 'needs key=<path of the private key>: boards are reached with keys');
  const kind = q.get('kind');
  if (kind === null || !/^[a-z0-9][a-z0-9-]{0,63}$/.test(kind))
    throw bad(spec, 'needs kind=<target kind> (lower-case letters, digits, dashes), e.g. kind=ultra96-v2');
  const name = q.get('name') ?? `ssh-${host}`.replace(/[^A-Za-z0-9._:-]/g, '-');
  if (!/^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$/.test(name))
    throw bad(spec, `name ${JSON.stringify(name)} must be 1-100 letters, digits, . _ : - starting with a letter or digit`);
  const lockCommand = q.get('lock_cmd') ?? undefined;
  const unlockCommand = q.get('unlock_cmd') ?? undefined;
  if ((lockCommand === undefined) !== (unlockCommand === undefined))
    throw bad(spec, 'lock_cmd and unlock_cmd go together: a lock without its unlock would leave the board cut off');
  const workdir = path.posix.normalize(absolutePath(spec, 'workdir', q.get('workdir') ?? '/tmp/lpcv'));
  if (workdir === '/') throw bad(spec, 'workdir cannot be /');
  const power = parsePower(spec, q.get('power'), q.get('hwmon_root'));
  return Object.freeze({
    user,
    host,
    port,
    key: path.resolve(expandHome(key)),
    knownHosts: path.resolve(expandHome(q.get('known_hosts') ?? '~/.ssh/known_hosts')),
    kind,
    name,
    power,
    workdir,
    periodMs: positive(spec, 'period_ms', q.get('period_ms'), power.kind === 'scpi' ? SCPI_DEFAULT_PERIOD_MS : 50, 60_000),
    connectTimeoutS: positive(spec, 'connect_timeout_s', q.get('connect_timeout_s'), 10, 600),
    dropCachesCommand: q.get('drop_caches_cmd') ?? DEFAULT_DROP_CACHES,
    ...(lockCommand !== undefined && unlockCommand !== undefined ? { lockCommand, unlockCommand } : {}),
  });
}
