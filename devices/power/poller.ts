/**
 * The polling loop that the sysfs, adb and SCPI samplers share: one read when the window opens (start), one
 * every `periodMs` after it, and one when the window closes (stop), so the readings always cover the window
 * on both sides (scoring/energy.ts refuses a window that is not covered; nothing is extrapolated).
 *
 * Reads never overlap: the next one is scheduled when the previous one has finished, aimed at the fixed
 * grid start + k x period (so a slow read does not make every later read late); a read that overran a whole
 * period is followed at once by the next. Each reading is stamped with the midpoint of the clock before and
 * after the read, which is where a read of unknown latency is most likely to have happened.
 *
 * The clock and the timer are injected: tests drive a fake clock and fire the timer by hand (no sleeping).
 * A read that fails in the background stops the polling; stop() then throws that error, so a run whose
 * power trace broke halfway never gets an energy figure.
 */
import { LpcvError } from '../../errors/lpcv-error.js';

/** Milliseconds on the sampler's clock. */
export type Clock = () => number;

/** Runs `fn` after `ms`; returns a function that cancels it. `fn`'s promise is returned to manual timers. */
export type Timer = (fn: () => Promise<void>, ms: number) => () => void;

/** Epoch milliseconds from the monotonic clock (performance.now does not jump with the wall clock). */
export const defaultClock: Clock = () => performance.timeOrigin + performance.now();

export const realTimer: Timer = (fn, ms) => {
  const handle = setTimeout(() => void fn(), ms);
  return () => clearTimeout(handle);
};

export interface Reading<R> {
  readonly t: number;
  readonly value: R;
}

export interface PolledWindow<R> {
  readonly readings: readonly Reading<R>[];
  readonly startMs: number;
  readonly endMs: number;
}

export interface PollerOptions<R> {
  readonly periodMs: number;
  readonly read: () => Promise<R>;
  readonly now?: Clock;
  readonly timer?: Timer;
  /** Called with each reading as it is taken (e.g. to show live power). */
  readonly onReading?: (r: Reading<R>) => void;
}

export function checkPeriod(periodMs: number): number {
  if (!(Number.isFinite(periodMs) && periodMs >= 1 && periodMs <= 60_000)) {
    throw new LpcvError('LPCV_E_POWER_SPEC', `a power sampling period must be 1 to 60000 ms, got ${periodMs}`);
  }
  return periodMs;
}

export class Poller<R> {
  readonly #o: PollerOptions<R>;
  readonly #now: Clock;
  readonly #timer: Timer;
  #running = false;
  #readings: Reading<R>[] = [];
  #due = 0;
  #cancel: (() => void) | undefined;
  #inflight: Promise<void> | undefined;
  #error: unknown;

  constructor(o: PollerOptions<R>) {
    checkPeriod(o.periodMs);
    this.#o = o;
    this.#now = o.now ?? defaultClock;
    this.#timer = o.timer ?? realTimer;
  }

  get running(): boolean {
    return this.#running;
  }

  /** Takes the first reading (its time opens the window) and starts the loop. A failing first read throws. */
  async start(): Promise<void> {
    if (this.#running) throw new LpcvError('LPCV_E_POWER_STATE', 'the power sampler was started twice');
    this.#running = true;
    this.#readings = [];
    this.#error = undefined;
    try {
      const first = await this.#readOnce();
      this.#due = first.t;
    } catch (e) {
      this.#running = false;
      throw e;
    }
    this.#schedule();
  }

  /** Stops the loop, waits for a read in flight, takes the last reading (its time closes the window). */
  async stop(): Promise<PolledWindow<R>> {
    if (!this.#running) throw new LpcvError('LPCV_E_POWER_STATE', 'the power sampler was stopped without being started');
    this.#running = false;
    this.#cancel?.();
    this.#cancel = undefined;
    if (this.#inflight) await this.#inflight;
    if (this.#error !== undefined) throw this.#error;
    await this.#readOnce();
    const readings = this.#readings;
    return { readings, startMs: readings[0]!.t, endMs: readings[readings.length - 1]!.t };
  }

  async #readOnce(): Promise<Reading<R>> {
    const before = this.#now();
    const value = await this.#o.read();
    const after = this.#now();
    const r = { t: (before + after) / 2, value };
    this.#readings.push(r);
    this.#o.onReading?.(r);
    return r;
  }

  #schedule(): void {
    if (!this.#running || this.#error !== undefined) return;
    this.#due += this.#o.periodMs;
    const now = this.#now();
    if (this.#due < now) this.#due = now;
    this.#cancel = this.#timer(() => this.#tick(), this.#due - now);
  }

  #tick(): Promise<void> {
    this.#cancel = undefined;
    if (!this.#running) return Promise.resolve();
    const p = this.#readOnce().then(
      () => undefined,
      (e: unknown) => {
        this.#error = e;
      },
    );
    this.#inflight = p.finally(() => {
      this.#inflight = undefined;
      this.#schedule();
    });
    return this.#inflight;
  }
}
