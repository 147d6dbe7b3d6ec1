/**
 * A sampler over a sensor that reports instantaneous power (hwmon, INA3221, an Android battery, a meter):
 * the poller's readings are the samples. Each reading is checked here, once for all of them: a value that is
 * not a finite, non-negative number of watts stops the run with LPCV_E_POWER_VALUE.
 */
import { LpcvError } from '../../errors/lpcv-error.js';
import type { PowerSample, PowerSampler, PowerTrace } from './power-sampler.js';
import { Poller, type Clock, type Timer } from './poller.js';

export interface PolledSamplerOptions {
  readonly source: string;
  readonly periodMs: number;
  /** One reading in watts. */
  readonly readWatts: () => Promise<number>;
  readonly now?: Clock;
  readonly timer?: Timer;
  readonly onSample?: (s: PowerSample) => void;
}

export function checkWatts(watts: number, source: string): number {
  if (!(Number.isFinite(watts) && watts >= 0)) {
    throw new LpcvError('LPCV_E_POWER_VALUE', `${source} gave ${watts} W, which is not a power reading`);
  }
  return watts;
}

export class PolledSampler implements PowerSampler {
  readonly source: string;
  readonly #poller: Poller<number>;

  constructor(o: PolledSamplerOptions) {
    this.source = o.source;
    this.#poller = new Poller<number>({
      periodMs: o.periodMs,
      read: async () => checkWatts(await o.readWatts(), o.source),
      now: o.now,
      timer: o.timer,
      onReading: o.onSample ? (r) => o.onSample!({ t: r.t, watts: r.value }) : undefined,
    });
  }

  start(): Promise<void> {
    return this.#poller.start();
  }

  async stop(): Promise<PowerTrace> {
    const w = await this.#poller.stop();
    return { source: this.source, samples: w.readings.map((r) => ({ t: r.t, watts: r.value })), startMs: w.startMs, endMs: w.endMs };
  }
}
