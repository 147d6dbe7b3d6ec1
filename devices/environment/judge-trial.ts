import type { EnvironmentSnapshot, TrialEnvironment } from '../../harness/environment.js';
import type { GuardsSpec } from '../../harness/tracks/track-schema.js';

/** The limits a trial is judged by (the track's `protocol.guards`; repeats and cooldown are run-guarded-trial.ts's). */
export type GuardLimits = Pick<GuardsSpec, 'maxOtherBusyPct' | 'maxTempC' | 'minFreqPct'>;

export type Verdict = TrialEnvironment['verdict'];

export interface OtherBusy {
  /** Other processes' busy share of the cores over the interval, percent (0-100). */
  pct: number;
  /** The cores it was computed over (read both before and after, counters not reset). */
  cores: number[];
  /** Each core's busy share in all (the run's own time included), percent. */
  perCore: { core: number; busyPct: number }[];
}

/**
 * Other processes' busy share of the run's cores between two snapshots: (sum of busy deltas - ownJiffies) /
 * (sum of total deltas), in percent, at least 0. The run's own CPU time is known per process, not per core,
 * so it is taken off the sum over the run's cores (where its affinity kept it). Without it (null) the whole
 * busy share counts. null when nothing can be said: no core read on both sides, a counter that went back
 * (a core taken offline and back), or no tick elapsed (a trial shorter than one jiffy, 10 ms).
 */
export function otherBusy(before: EnvironmentSnapshot, after: EnvironmentSnapshot, ownJiffies: number | null): OtherBusy | null {
  const earlier = new Map(before.cpu.map((c) => [c.core, c]));
  let busy = 0;
  let total = 0;
  const perCore: OtherBusy['perCore'] = [];
  for (const a of after.cpu) {
    const b = earlier.get(a.core);
    if (b === undefined) continue;
    const db = a.busyJiffies - b.busyJiffies;
    const dt = a.totalJiffies - b.totalJiffies;
    if (db < 0 || dt < 0 || db > dt) continue;
    busy += db;
    total += dt;
    perCore.push({ core: a.core, busyPct: dt === 0 ? 0 : (100 * db) / dt });
  }
  if (perCore.length === 0 || total === 0) return null;
  const other = Math.max(0, busy - (ownJiffies ?? 0));
  return { pct: (100 * other) / total, cores: perCore.map((c) => c.core), perCore };
}

/** The hottest thermal zone of a snapshot, or null when it has none. */
export function hottestZone(s: EnvironmentSnapshot): { zone: string; celsius: number } | null {
  let best: { zone: string; celsius: number } | null = null;
  for (const [zone, celsius] of Object.entries(s.thermalC)) if (best === null || celsius > best.celsius) best = { zone, celsius };
  return best;
}

/** The highest temperature a snapshot shows: its hottest zone or, on a phone, the battery; null when it shows none. */
export function hottestC(s: EnvironmentSnapshot): number | null {
  const t = [hottestZone(s)?.celsius, s.phone?.batteryTempC].filter((x): x is number => typeof x === 'number');
  return t.length === 0 ? null : Math.max(...t);
}

/** One decimal, without a trailing .0 (38.2, 80). */
function num(x: number): string {
  return String(Math.round(x * 10) / 10);
}

/** Core numbers as a kernel cpu list (0-3,6). */
export function coreList(cores: readonly number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < cores.length; i++) {
    let j = i;
    while (j + 1 < cores.length && cores[j + 1] === cores[j]! + 1) j++;
    parts.push(j === i ? String(cores[i]) : `${cores[i]}-${cores[j]}`);
    i = j;
  }
  return parts.join(',');
}

/**
 * The guards' verdict on one trial, from the snapshots before and after it (pure). Each limit the trial broke
 * is one reason in words, naming the core or zone, the value seen and the limit:
 *   - maxOtherBusyPct: other processes' busy share of the run's cores over the trial (otherBusy);
 *   - maxTempC: the hottest zone after the trial, and a phone's battery after it, each against the limit (the
 *     heat a trial leaves is what throttles the next one; what it started at is the cooldown's business);
 *   - minFreqPct: each core's frequency after the trial as a percentage of its frequency before it (a drop is
 *     throttling, or a governor that lowered the clock under the run).
 * A limit the track does not set, or a reading the device does not expose, refuses nothing.
 */
export function judgeTrial(before: EnvironmentSnapshot, after: EnvironmentSnapshot, ownJiffies: number | null, guards: GuardLimits | undefined): Verdict {
  const reasons: string[] = [];
  if (guards?.maxOtherBusyPct !== undefined) {
    const o = otherBusy(before, after, ownJiffies);
    if (o !== null && o.pct > guards.maxOtherBusyPct) {
      const many = o.cores.length > 1;
      const shown = o.perCore.slice(0, 16).map((c) => (many ? `core ${c.core} ${num(c.busyPct)}%` : `${num(c.busyPct)}%`));
      const own = ownJiffies === null ? "the run's own CPU time unknown, so all of it counted" : `the run's own ${ownJiffies} jiffies taken off`;
      reasons.push(
        `${many ? `cores ${coreList(o.cores)} were` : `core ${o.cores[0]} was`} ${num(o.pct)}% busy with other processes over the trial, limit ` +
          `${num(guards.maxOtherBusyPct)}% (busy in all: ${shown.join(', ')}${o.perCore.length > 16 ? ', ...' : ''}; ${own})`,
      );
    }
  }
  if (guards?.maxTempC !== undefined) {
    const hot = hottestZone(after);
    if (hot !== null && hot.celsius > guards.maxTempC) {
      reasons.push(`thermal zone ${hot.zone} was at ${num(hot.celsius)} °C after the trial, limit ${num(guards.maxTempC)} °C`);
    }
    const battery = after.phone?.batteryTempC;
    if (battery != null && battery > guards.maxTempC) {
      reasons.push(`the battery was at ${num(battery)} °C after the trial, limit ${num(guards.maxTempC)} °C`);
    }
  }
  if (guards?.minFreqPct !== undefined) {
    const earlier = new Map(before.cpufreq.map((f) => [f.core, f.curKHz]));
    for (const f of after.cpufreq) {
      const was = earlier.get(f.core);
      if (was == null || was <= 0 || f.curKHz === null) continue;
      const pct = (100 * f.curKHz) / was;
      if (pct < guards.minFreqPct) {
        reasons.push(
          `core ${f.core} ran at ${num(f.curKHz / 1000)} MHz after the trial, ${num(pct)}% of its ${num(was / 1000)} MHz before, limit ${num(guards.minFreqPct)}%`,
        );
      }
    }
  }
  return { ok: reasons.length === 0, reasons: reasons.slice(0, 50) };
}
