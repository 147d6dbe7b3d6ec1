/**
 * For the guards' tests: snapshots made by hand, a probe that replays them (or computes them from the fake
 * time), and a clock whose sleep moves time instead of waiting.
 */
import type { EnvironmentSnapshot } from '../../../harness/environment.js';
import type { EnvironmentProbe } from '../environment-probe.js';
import type { GuardClock } from '../guard-clock.js';

export function snap(s: Partial<EnvironmentSnapshot> = {}): EnvironmentSnapshot {
  return { t: 0, loadAvg1: null, cpu: [], cpufreq: [], thermalC: {}, ...s };
}

/** One core's counters: `busy` of `total` jiffies. */
export function core(core: number, busyJiffies: number, totalJiffies: number): EnvironmentSnapshot['cpu'][number] {
  return { core, busyJiffies, totalJiffies };
}

/** A probe that returns `script` in order and fails the test when asked for more; `taken` counts the reads. */
export class ScriptedProbe implements EnvironmentProbe {
  taken = 0;
  constructor(
    private readonly script: readonly EnvironmentSnapshot[] | ((read: number) => EnvironmentSnapshot),
    private readonly events?: string[],
  ) {}
  snapshot(): Promise<EnvironmentSnapshot> {
    const i = this.taken++;
    this.events?.push('snapshot');
    if (typeof this.script === 'function') return Promise.resolve(this.script(i));
    const s = this.script[i];
    if (s === undefined) return Promise.reject(new Error(`the probe was read ${i + 1} times; the script has ${this.script.length} snapshots`));
    return Promise.resolve(s);
  }
}

/** Time moves only by sleeping; every sleep is recorded. */
export class FakeGuardClock implements GuardClock {
  t = 0;
  readonly sleeps: number[] = [];
  constructor(private readonly events?: string[]) {}
  now(): number {
    return this.t;
  }
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    this.sleeps.push(ms);
    this.events?.push(`sleep ${ms}`);
    if (!signal?.aborted) this.t += ms;
    return Promise.resolve();
  }
}
