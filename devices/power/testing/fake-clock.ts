/**
 * A fake clock and a hand-fired timer for the samplers' tests: time moves only when the test says so, and a
 * scheduled read runs when the test fires it (fire() resolves once that read is done). No sleeping.
 */
import type { Clock, Timer } from '../poller.js';

export class FakeClock {
  t: number;
  constructor(t = 1_000_000) {
    this.t = t;
  }
  readonly now: Clock = () => this.t;
  advance(ms: number): void {
    this.t += ms;
  }
}

export class ManualTimer {
  #pending: { fn: () => Promise<void>; ms: number } | undefined;
  /** Delays asked for, in order (the poller aims at a fixed grid). */
  readonly delays: number[] = [];

  readonly timer: Timer = (fn, ms) => {
    if (this.#pending) throw new Error('the poller scheduled two reads at once');
    const entry = { fn, ms };
    this.#pending = entry;
    this.delays.push(ms);
    return () => {
      if (this.#pending === entry) this.#pending = undefined;
    };
  };

  get pending(): boolean {
    return this.#pending !== undefined;
  }

  /** Runs the scheduled read now and waits for it; throws when nothing is scheduled. */
  async fire(): Promise<void> {
    const p = this.#pending;
    if (!p) throw new Error('no read is scheduled');
    this.#pending = undefined;
    await p.fn();
  }
}
