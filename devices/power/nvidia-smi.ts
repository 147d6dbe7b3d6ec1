/**
 * NVIDIA GPU board power from `nvidia-smi --query-gpu=power.draw --format=csv,noheader,nounits -lms <period>
 * -i <gpu>`: a child process (execa, argument array) that prints one line per period, the board's power in
 * watts (`35.27`), or `[N/A]` / `[Not Supported]` on a GPU that does not measure it. Each line is stamped on
 * arrival with the sampler's clock.
 *
 * The window: start() resolves on the first line (its time opens the window); stop() closes the window at
 * the moment it is called and waits for the next line (at most one period later, bounded by stopTimeoutMs),
 * so the window's end is interpolated between the lines around it, like every other sampler's.
 *
 * Refusals: no executable or no GPU at open is LPCV_E_POWER_NO_SENSOR, and so is `[N/A]` at open (the GPU
 * has no power sensor); `[N/A]` or anything unparsable mid-run is LPCV_E_POWER_VALUE; the tool exiting
 * mid-run LPCV_E_POWER_READ; no line within the timeouts LPCV_E_POWER_TIMEOUT (the child is killed: the
 * agent never waits for ever).
 *
 * Not confirmed here (no GPU on these machines): that every driver version flushes each line to a pipe at
 * once, and what power.draw averages over (recent drivers also offer power.draw.instant and
 * power.draw.average; `field` selects one).
 */
import { createInterface } from 'node:readline';
import { execa, type ResultPromise } from 'execa';
import { LpcvError } from '../../errors/lpcv-error.js';
import type { PowerSample, PowerSampler, PowerTrace } from './power-sampler.js';
import { checkPeriod, defaultClock, type Clock } from './poller.js';

export const NVIDIA_DEFAULT_PERIOD_MS = 100;

export interface NvidiaSmiOptions {
  /** The nvidia-smi executable (default `nvidia-smi` on PATH); tests pass a stand-in. */
  readonly executable?: string;
  /** GPU index (-i), default 0. */
  readonly gpu?: number;
  /** The query field, default power.draw. */
  readonly field?: 'power.draw' | 'power.draw.instant' | 'power.draw.average';
  readonly periodMs?: number;
  readonly now?: Clock;
  /** Extra environment for the child (e.g. CUDA_VISIBLE_DEVICES). */
  readonly env?: Readonly<Record<string, string>>;
  /** How long start() waits for the first line (default max(5 s, 5 periods)). */
  readonly startTimeoutMs?: number;
  /** How long stop() waits for the line after the window (default max(2 s, 3 periods)). */
  readonly stopTimeoutMs?: number;
  readonly onSample?: (s: PowerSample) => void;
}

/** One output line to watts; refuses [N/A], [Not Supported], negative and unparsable values. */
export function parseNvidiaSmiPower(line: string): number {
  const s = line.trim().replace(/\s*W$/, '');
  if (!/^\d+(\.\d+)?$/.test(s)) {
    throw new LpcvError(
      'LPCV_E_POWER_VALUE',
      `nvidia-smi printed ${JSON.stringify(line.trim().slice(0, 80))}, not a power in watts${s.startsWith('[') ? ' (this GPU does not report it)' : ''}`,
    );
  }
  return Number(s);
}

function queryArgs(o: NvidiaSmiOptions): string[] {
  return [`--query-gpu=${o.field ?? 'power.draw'}`, '--format=csv,noheader,nounits', '-i', String(o.gpu ?? 0)];
}

export class NvidiaSmiSampler implements PowerSampler {
  readonly source: string;
  readonly #o: NvidiaSmiOptions;
  readonly #now: Clock;
  readonly #periodMs: number;
  #child: ResultPromise | undefined;
  #samples: PowerSample[] = [];
  #error: LpcvError | undefined;
  #waiter: (() => void) | undefined;
  #stderr = '';

  constructor(o: NvidiaSmiOptions) {
    this.#o = o;
    this.#now = o.now ?? defaultClock;
    this.#periodMs = checkPeriod(o.periodMs ?? NVIDIA_DEFAULT_PERIOD_MS);
    this.source = `nvidia-smi:gpu${o.gpu ?? 0}`;
  }

  async start(): Promise<void> {
    if (this.#child) throw new LpcvError('LPCV_E_POWER_STATE', 'the power sampler was started twice');
    this.#samples = [];
    this.#error = undefined;
    this.#stderr = '';
    const child = execa(this.#o.executable ?? 'nvidia-smi', [...queryArgs(this.#o), '-lms', String(this.#periodMs)], {
      reject: false,
      buffer: false,
      stdin: 'ignore',
      env: this.#o.env,
    });
    this.#child = child;
    child.stderr?.on('data', (d: Buffer) => (this.#stderr = (this.#stderr + d.toString()).slice(-2000)));
    // Lines of a child already stopped (still buffered in the pipe) belong to no window.
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (this.#child === child) this.#line(line);
    });
    void child.then((r) => {
      if (this.#child !== child) return;
      const why = r.failed && r.code === 'ENOENT' ? 'could not be started (not found)' : `exited (${r.exitCode ?? r.signal})`;
      this.#fail(new LpcvError('LPCV_E_POWER_READ', `nvidia-smi ${why} during the run: ${(this.#stderr || r.message || '').trim().slice(0, 300)}`));
    });
    const timeout = this.#o.startTimeoutMs ?? Math.max(5000, 5 * this.#periodMs);
    try {
      await this.#until(() => this.#samples.length > 0, timeout, 'its first reading');
    } catch (e) {
      await this.#kill();
      throw e;
    }
  }

  async stop(): Promise<PowerTrace> {
    if (!this.#child) throw new LpcvError('LPCV_E_POWER_STATE', 'the power sampler was stopped without being started');
    const endMs = this.#now();
    try {
      const timeout = this.#o.stopTimeoutMs ?? Math.max(2000, 3 * this.#periodMs);
      await this.#until(() => this.#samples[this.#samples.length - 1]!.t >= endMs, timeout, 'a reading after the window');
    } finally {
      await this.#kill();
    }
    const samples = this.#samples;
    return { source: this.source, samples, startMs: samples[0]!.t, endMs };
  }

  #line(line: string): void {
    if (this.#error || line.trim() === '') return;
    let watts: number;
    try {
      watts = parseNvidiaSmiPower(line);
    } catch (e) {
      this.#fail(e as LpcvError);
      return;
    }
    const s = { t: this.#now(), watts };
    this.#samples.push(s);
    this.#o.onSample?.(s);
    this.#waiter?.();
  }

  #fail(e: LpcvError): void {
    if (this.#error) return;
    this.#error = e;
    this.#waiter?.();
  }

  /** Waits until `done()` (re-checked on each line), the sampler failed, or the timeout. */
  #until(done: () => boolean, timeoutMs: number, what: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        if (this.#error) return (finish(), reject(this.#error), true);
        if (done()) return (finish(), resolve(), true);
        return false;
      };
      const timer = setTimeout(() => {
        finish();
        reject(new LpcvError('LPCV_E_POWER_TIMEOUT', `nvidia-smi printed no line for ${timeoutMs} ms while waiting for ${what}`));
      }, timeoutMs);
      const finish = (): void => {
        clearTimeout(timer);
        this.#waiter = undefined;
      };
      if (!check()) this.#waiter = () => void check();
    });
  }

  async #kill(): Promise<void> {
    const child = this.#child;
    this.#child = undefined;
    if (!child) return;
    child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), 2000);
    await child;
    clearTimeout(killer);
  }
}

/** Probes the tool once (no loop): executable found, a GPU there, and a power reading it can give. */
export async function openNvidiaSmiSampler(o: NvidiaSmiOptions = {}): Promise<NvidiaSmiSampler> {
  const exe = o.executable ?? 'nvidia-smi';
  const r = await execa(exe, queryArgs(o), { reject: false, timeout: 15_000, env: o.env, stdin: 'ignore' });
  if (r.failed) {
    const why =
      r.code === 'ENOENT'
        ? `${exe} is not installed or not on PATH`
        : `${exe} failed (${r.exitCode ?? r.code ?? r.signal}): ${`${r.stdout} ${r.stderr}`.trim().slice(0, 300)}`;
    throw new LpcvError('LPCV_E_POWER_NO_SENSOR', `no NVIDIA GPU power reading: ${why}`);
  }
  const line = r.stdout.split('\n')[0] ?? '';
  try {
    parseNvidiaSmiPower(line);
  } catch {
    throw new LpcvError(
      'LPCV_E_POWER_NO_SENSOR',
      `GPU ${o.gpu ?? 0} reports ${o.field ?? 'power.draw'} as ${JSON.stringify(line.trim())}: it has no power sensor nvidia-smi can read`,
    );
  }
  return new NvidiaSmiSampler(o);
}
