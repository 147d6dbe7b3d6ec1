/**
 * Linux RAPL through the powercap class (Documentation/power/powercap/powercap.rst):
 * `/sys/class/powercap/intel-rapl:N[:M]/energy_uj` is a cumulative energy counter in microjoules, `name` the
 * zone (package-0, core, uncore, dram, psys) and `max_energy_range_uj` the counter's range.
 *
 * Counter wrap-around: the ABI says only "range of the above energy counter in micro-joules"; the intel_rapl
 * driver computes it as the hardware counter's mask (32 bits) times the energy unit, so it is the largest value
 * energy_uj shows. After it the counter restarts at 0. We treat the counter as an integer in [0, max], so a
 * counter that went down wrapped once and the energy is `cur + (max + 1 - prev)`. The exact step past max is
 * one energy unit (15.3 or 61 uJ on current parts), which sysfs does not export: the error is below one unit
 * per wrap, and a wrap needs max (about 262 kJ on a 61 uJ part) between two reads, i.e. never at the periods
 * used here (at most 60 s) below 4 kW.
 *
 * Samples: the counter gives energy, not power, so each interval between two reads becomes its average power
 * (delta / dt), drawn as a step: two samples (t_prev, P) and (t, P). The trapezoid over that step function is
 * exactly the counter's delta, so the trace's energy over the window equals the counters' difference.
 *
 * Since Linux 5.10 (CVE-2020-8694) energy_uj is readable by root only unless the administrator changes it:
 * open time says so when the file is not readable.
 */
import path from 'node:path';
import { LpcvError } from '../../errors/lpcv-error.js';
import type { PowerSample, PowerSampler, PowerTrace } from './power-sampler.js';
import { Poller, type Clock, type Reading, type Timer } from './poller.js';
import { listDir, readAttribute, readInteger } from './sysfs.js';

export const RAPL_DEFAULT_PERIOD_MS = 100;

/** Energy in microjoules between two reads of a counter with range [0, maxUj]; refuses impossible values. */
export function raplDeltaUj(prevUj: number, curUj: number, maxUj: number): number {
  if (prevUj > maxUj || curUj > maxUj || prevUj < 0 || curUj < 0) {
    throw new LpcvError('LPCV_E_POWER_VALUE', `an energy counter read ${prevUj} then ${curUj} uJ, outside its range [0, ${maxUj}]`);
  }
  return curUj >= prevUj ? curUj - prevUj : curUj + (maxUj + 1 - prevUj);
}

/**
 * Counter readings to step samples (see above). An interval of zero length (two reads at the same clock
 * reading) carries its energy into the next interval, so no energy is dropped.
 */
export function raplSamples(readings: readonly Reading<number>[], maxUj: number): PowerSample[] {
  const out: PowerSample[] = [];
  let carryUj = 0;
  let from = readings[0];
  for (let i = 1; i < readings.length; i++) {
    const r = readings[i]!;
    carryUj += raplDeltaUj(readings[i - 1]!.value, r.value, maxUj);
    if (from === undefined || r.t <= from.t) continue;
    const watts = carryUj / 1e6 / ((r.t - from.t) / 1000);
    out.push({ t: from.t, watts }, { t: r.t, watts });
    carryUj = 0;
    from = r;
  }
  return out;
}

export interface RaplOptions {
  /** The sysfs mount point (default /sys); tests point it at a fixture tree. */
  readonly root?: string;
  /** A zone directory name (intel-rapl:0, intel-rapl:0:1) or a zone name (package-0, psys). Default package-0. */
  readonly zone?: string;
  readonly periodMs?: number;
  readonly now?: Clock;
  readonly timer?: Timer;
}

interface RaplZone {
  readonly dir: string;
  readonly id: string;
  readonly name: string;
}

async function findZone(root: string, want: string | undefined): Promise<RaplZone> {
  const base = path.join(root, 'class', 'powercap');
  const zones: RaplZone[] = [];
  for (const id of await listDir(base)) {
    if (!/^intel-rapl:\d+(:\d+)*$/.test(id)) continue;
    const dir = path.join(base, id);
    const name = await readAttribute(path.join(dir, 'name')).catch(() => '?');
    zones.push({ dir, id, name });
  }
  if (zones.length === 0) throw new LpcvError('LPCV_E_POWER_NO_SENSOR', `no RAPL power zones under ${base} (no intel-rapl powercap driver on this machine)`);
  const match =
    want === undefined
      ? (zones.find((z) => z.name === 'package-0') ?? zones.find((z) => z.id === 'intel-rapl:0'))
      : zones.find((z) => z.id === want || z.name === want);
  if (!match) {
    const have = zones.map((z) => `${z.id} (${z.name})`).join(', ');
    throw new LpcvError('LPCV_E_POWER_NO_SENSOR', `no RAPL zone ${want ?? 'package-0'} under ${base}; there are ${have}`);
  }
  return match;
}

export class RaplSampler implements PowerSampler {
  readonly source: string;
  readonly zone: RaplZone;
  readonly maxEnergyRangeUj: number;
  readonly #poller: Poller<number>;

  constructor(zone: RaplZone, maxUj: number, o: RaplOptions) {
    this.zone = zone;
    this.maxEnergyRangeUj = maxUj;
    this.source = `rapl:${zone.id}`;
    const counter = path.join(zone.dir, 'energy_uj');
    this.#poller = new Poller({ periodMs: o.periodMs ?? RAPL_DEFAULT_PERIOD_MS, read: () => readInteger(counter), now: o.now, timer: o.timer });
  }

  start(): Promise<void> {
    return this.#poller.start();
  }

  async stop(): Promise<PowerTrace> {
    const w = await this.#poller.stop();
    return { source: this.source, samples: raplSamples(w.readings, this.maxEnergyRangeUj), startMs: w.startMs, endMs: w.endMs };
  }
}

/** Finds the zone and probes its files (LPCV_E_POWER_NO_SENSOR when missing or not readable). */
export async function openRaplSampler(o: RaplOptions = {}): Promise<RaplSampler> {
  const zone = await findZone(o.root ?? '/sys', o.zone);
  const counter = path.join(zone.dir, 'energy_uj');
  const maxUj = await readInteger(path.join(zone.dir, 'max_energy_range_uj'), 'LPCV_E_POWER_NO_SENSOR');
  try {
    await readInteger(counter, 'LPCV_E_POWER_NO_SENSOR');
  } catch (e) {
    if (e instanceof LpcvError && e.message.includes('not readable')) {
      throw new LpcvError(
        'LPCV_E_POWER_NO_SENSOR',
        `${e.message}: since Linux 5.10 energy_uj is root-only; give the agent's user read access (e.g. a udev rule or chmod) to measure RAPL`,
      );
    }
    throw e;
  }
  return new RaplSampler(zone, maxUj, o);
}
