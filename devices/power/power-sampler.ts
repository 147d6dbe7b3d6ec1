/**
 * The power-sampler plugin interface: a source of power readings that the agent starts just before the
 * measured run and stops just after it. Energy is integrated over exactly that window
 * (scoring/energy.ts), as MLPerf Power does between its begin and end timestamps. Every sampler runs the
 * shared contract suite (devices/power/testing/sampler.contract.ts) against fixture sysfs trees, stand-in
 * executables or a local TCP meter.
 */

/** One reading: `t` in ms on the sampler's clock (the same clock as the window), `watts` >= 0. */
export interface PowerSample {
  readonly t: number;
  readonly watts: number;
}

/** What a stopped sampler hands back. */
export interface PowerTrace {
  /** e.g. `rapl:intel-rapl:0`, `hwmon:ina226_u79`, `scpi:WT310@10.0.0.5:10001`. */
  readonly source: string;
  readonly samples: readonly PowerSample[];
  /** The measured window on the samples' clock: start() to stop(). */
  readonly startMs: number;
  readonly endMs: number;
}

export interface PowerSampler {
  readonly source: string;
  /** Begins sampling; resolves once the first reading is taken (so the window opens on a reading). */
  start(): Promise<void>;
  /** Ends sampling (a last reading is taken at the window's end) and returns the trace. */
  stop(): Promise<PowerTrace>;
  /**
   * Releases what the sampler holds between runs (a meter's connection); optional, and a sampler may be
   * started again after it (it reconnects). Sysfs samplers hold nothing.
   */
  close?(): Promise<void>;
}
