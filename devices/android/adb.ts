import { execa } from 'execa';
import { LpcvError } from '../../errors/lpcv-error.js';
import { shellLine } from '../targets/shell-quote.js';

/**
 * adb for one phone: `adb -s SERIAL <command>` through execa with argument arrays, never a local shell.
 * `adb shell` is the one place where words are joined into a line (adb does that itself, and the phone's
 * shell parses it), so shell() takes words and quotes each one (posix-quote.ts). Failures become coded
 * infrastructure errors: adb's own "device 'X' not found", "device offline" and "device unauthorized"
 * texts each have a code, anything else is LPCV_E_ADB_FAILED with adb's words in the message.
 */

export interface AdbOptions {
  readonly serial: string;
  /** The adb executable (default `adb` on PATH). */
  readonly adbPath?: string;
  /** Per-command limit for push, pull and get-state (default 10 minutes: a big model over USB 2). */
  readonly timeoutMs?: number;
  /** Extra environment for adb (e.g. ANDROID_ADB_SERVER_PORT). */
  readonly env?: Readonly<Record<string, string>>;
}

export interface ShellResult {
  readonly stdout: string;
  readonly stderr: string;
  /** The remote command's exit status (adb passes it through with the shell protocol, Android 7+). */
  readonly exitCode: number;
}

export interface ShellOptions {
  readonly signal?: AbortSignal;
  readonly timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 10 * 60_000;

export class Adb {
  readonly serial: string;
  readonly adbPath: string;
  readonly #timeoutMs: number;
  readonly #env: Readonly<Record<string, string>> | undefined;

  constructor(o: AdbOptions) {
    if (o.serial === '' || o.serial.startsWith('-'))
      throw new LpcvError('LPCV_E_ANDROID_SPEC', `adb serial ${JSON.stringify(o.serial)} is empty or starts with -`);
    this.serial = o.serial;
    this.adbPath = o.adbPath ?? 'adb';
    this.#timeoutMs = o.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.#env = o.env;
  }

  /** `adb get-state`: resolves when the phone is `device`; throws the offline / unauthorized / not found codes. */
  async getState(signal?: AbortSignal): Promise<'device'> {
    const r = await this.#run(['get-state'], { signal, timeoutMs: 30_000 });
    const state = r.stdout.trim();
    if (r.exitCode === 0 && state === 'device') return 'device';
    throw classify(this.serial, 'get-state', r.exitCode === 0 ? `error: device ${state}` : r.stderr || r.stdout, r.exitCode);
  }

  /** `adb push LOCAL REMOTE` (a folder lands AT remote when remote does not exist yet). */
  async push(local: string, remote: string, signal?: AbortSignal): Promise<void> {
    await this.#checked(['push', local, remote], 'push', signal);
  }

  /** `adb pull REMOTE LOCAL`. */
  async pull(remote: string, local: string, signal?: AbortSignal): Promise<void> {
    await this.#checked(['pull', remote, local], 'pull', signal);
  }

  /**
   * `adb shell <line>` where the line is the words, each quoted. Resolves with the remote exit status
   * whatever it is (the caller decides what a non-zero status means); rejects only when adb itself
   * failed (no phone, offline, unauthorized, killed, timed out).
   */
  async shell(words: readonly string[], o: ShellOptions = {}): Promise<ShellResult> {
    if (words.length === 0) throw new LpcvError('LPCV_E_INTERNAL', 'adb shell without a command would open an interactive shell');
    const r = await this.#run(['shell', shellLine(words)], o);
    const adbError = deviceError(this.serial, `shell ${words[0]}`, r.stderr);
    if (adbError !== undefined) throw adbError;
    return r;
  }

  /** shell(), and its stdout when the remote command exits 0; LPCV_E_ADB_FAILED otherwise. */
  async shellText(words: readonly string[], o: ShellOptions = {}): Promise<string> {
    const r = await this.shell(words, o);
    if (r.exitCode !== 0) {
      throw new LpcvError('LPCV_E_ADB_FAILED', `${this.serial}: \`${shellLine(words)}\` exited ${r.exitCode}: ${tail(r.stderr || r.stdout)}`, {
        serial: this.serial,
        exitCode: r.exitCode,
      });
    }
    return r.stdout;
  }

  async #checked(args: string[], what: string, signal?: AbortSignal): Promise<void> {
    const r = await this.#run(args, { signal });
    if (r.exitCode !== 0) throw classify(this.serial, what, r.stderr || r.stdout, r.exitCode);
  }

  async #run(args: string[], o: ShellOptions): Promise<ShellResult> {
    if (o.signal?.aborted) throw cancelled(this.serial, args[0]);
    const r = await execa(this.adbPath, ['-s', this.serial, ...args], {
      reject: false,
      stdin: 'ignore',
      timeout: o.timeoutMs ?? this.#timeoutMs,
      ...(o.signal ? { cancelSignal: o.signal } : {}),
      ...(this.#env ? { env: { ...this.#env } } : {}),
      // adb and the phone speak bytes; a model's output is ASCII, and a stray byte must not throw.
      encoding: 'utf8',
      stripFinalNewline: false,
      maxBuffer: 64 * 1024 * 1024,
    });
    if (r.isCanceled) throw cancelled(this.serial, args[0]);
    if (r.timedOut)
      throw new LpcvError('LPCV_E_ADB_FAILED', `${this.serial}: adb ${args[0]} did not finish within ${o.timeoutMs ?? this.#timeoutMs} ms`, {
        serial: this.serial,
      });
    if (r.failed && r.exitCode === undefined) {
      if (r.code === 'ENOENT' || r.code === 'EACCES') {
        throw new LpcvError(
          'LPCV_E_ADB_MISSING',
          `cannot run adb at ${JSON.stringify(this.adbPath)} (${r.code}): install it (apt-get install adb) or set the path`,
          { adbPath: this.adbPath },
        );
      }
      throw new LpcvError('LPCV_E_ADB_FAILED', `${this.serial}: adb ${args[0]} did not run: ${r.shortMessage}`, { serial: this.serial });
    }
    return { stdout: String(r.stdout), stderr: String(r.stderr), exitCode: r.exitCode ?? 1 };
  }
}

function cancelled(serial: string, what: string | undefined): LpcvError {
  return new LpcvError('LPCV_E_RUN_CANCELLED', `${serial}: adb ${what ?? ''} cancelled`, { serial });
}

/** adb's own device errors, as adb 1.0.41 words them (e.g. `error: device 'X' not found`). */
function deviceError(serial: string, what: string, text: string): LpcvError | undefined {
  const detail = { serial };
  if (/device '[^']*' not found|no devices\/emulators found/.test(text)) {
    return new LpcvError('LPCV_E_ANDROID_DEVICE_NOT_FOUND', `${serial}: adb ${what}: no phone with this serial is attached (${tail(text)})`, detail);
  }
  if (/device offline|error: device offline/.test(text)) {
    return new LpcvError('LPCV_E_ANDROID_DEVICE_OFFLINE', `${serial}: adb ${what}: the phone is offline (${tail(text)})`, detail);
  }
  if (/device unauthorized/.test(text)) {
    return new LpcvError(
      'LPCV_E_ANDROID_DEVICE_UNAUTHORIZED',
      `${serial}: adb ${what}: the phone has not authorised this host; accept the USB debugging prompt (${tail(text)})`,
      detail,
    );
  }
  return undefined;
}

function classify(serial: string, what: string, text: string, exitCode: number): LpcvError {
  return (
    deviceError(serial, what, text) ?? new LpcvError('LPCV_E_ADB_FAILED', `${serial}: adb ${what} exited ${exitCode}: ${tail(text)}`, { serial, exitCode })
  );
}

/** The last line or two of a tool's words, for a one-line message. */
export function tail(text: string, max = 300): string {
  const t = text.trim().split(/\r?\n/).slice(-3).join(' | ');
  return t.length > max ? `...${t.slice(-max)}` : t || '(no output)';
}
