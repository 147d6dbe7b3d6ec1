/**
 * The board's state around its command (docs/ssh-boards.md, "Environment guards"): the runner
 * (board/lpcv-run.sh) reads the board's /proc and sysfs right before and right after the command, with the
 * same files and the same meaning as devices/environment/ reads locally, and writes them to meta/env-before
 * and meta/env-after; `times` around the command gives the CPU time of the command and everything it waited
 * for. Here the readings become one TrialEnvironment, judged by the track's guards.
 */
import type { EnvironmentSnapshot, TrialEnvironment } from '../../harness/environment.js';
import type { GuardsSpec } from '../../harness/tracks/track-schema.js';
import { judgeTrial } from '../environment/judge-trial.js';
import { parseLoadAvg1 } from '../environment/loadavg.js';
import { parseCpuList, USER_HZ } from '../environment/process-cpu.js';
import { parseProcStat } from '../environment/proc-stat.js';
import { thermalRecord, type ThermalZoneReading } from '../environment/thermal-zones.js';

const integer = (s: string | undefined): number | null => (s !== undefined && /^-?\d+$/.test(s.trim()) && Number.isSafeInteger(Number(s)) ? Number(s) : null);

/**
 * One reading as the runner prints it (`env_snapshot`): tab-separated lines `t_ns` (or `epoch_s` on a board
 * without date +%N), `cpus`, `loadavg`, `stat`, `freq`, `thermal`. Only the cores the command could run on
 * (`cpus`, the runner's affinity, which the command inherits) are kept; every core when the board does not
 * say. null when the reading has no time (not a reading at all).
 */
export function parseBoardSnapshot(text: string): EnvironmentSnapshot | null {
  let t: number | null = null;
  let allowed: number[] | null = null;
  let loadAvg1: number | null = null;
  const stat: string[] = [];
  const freq: EnvironmentSnapshot['cpufreq'] = [];
  const zones: ThermalZoneReading[] = [];
  for (const line of text.split('\n')) {
    const [key, ...f] = line.split('\t');
    switch (key) {
      case 't_ns':
        if (/^\d+$/.test(f[0]?.trim() ?? '')) t = Number(BigInt(f[0]!.trim()) / 1_000_000n);
        break;
      case 'epoch_s': {
        const s = integer(f[0]);
        if (s !== null) t = s * 1000;
        break;
      }
      case 'cpus':
        // Cpus_allowed_list's value keeps the tab after its colon: the list is the rest of the line.
        allowed = parseCpuList(f.join('').trim());
        break;
      case 'loadavg':
        loadAvg1 = parseLoadAvg1(f[0] ?? '');
        break;
      case 'stat':
        stat.push(f[0] ?? '');
        break;
      case 'freq': {
        const core = integer(f[0]);
        if (core === null || core < 0) break;
        const cur = integer(f[1]);
        const max = integer(f[2]);
        freq.push({
          core,
          curKHz: cur !== null && cur >= 0 ? cur : null,
          maxKHz: max !== null && max >= 0 ? max : null,
          governor: f[3]?.trim().slice(0, 100) || null,
        });
        break;
      }
      case 'thermal': {
        const milli = integer(f[2]);
        if (milli !== null) zones.push({ zone: f[0]!.trim(), type: f[1]?.trim() || f[0]!.trim(), celsius: milli / 1000 });
        break;
      }
    }
  }
  if (t === null) return null;
  const wanted = allowed === null ? null : new Set(allowed);
  const keep = (core: number): boolean => wanted === null || wanted.has(core);
  zones.sort((a, b) => Number(a.zone!.replace(/\D/g, '')) - Number(b.zone!.replace(/\D/g, '')));
  return {
    t,
    loadAvg1,
    cpu: parseProcStat(stat.join('\n')).filter((c) => keep(c.core)),
    cpufreq: freq.filter((c) => keep(c.core)).sort((a, b) => a.core - b.core),
    thermalC: thermalRecord(zones),
  };
}

/**
 * The children's CPU time from the output of the shell's `times` (second line: children's user and system),
 * in jiffies. dash prints `0m0.160000s 0m0.030000s`, bash `0m0.160s 0m0.030s`, mksh `0m00.16s 0m00.03s`,
 * busybox ash `0m 0.16s ...`. null when it cannot be read.
 */
export function parseChildrenTimes(text: string): number | null {
  const line = text.split('\n')[1] ?? '';
  const parts = [...line.matchAll(/(\d+)m\s*(\d+(?:\.\d+)?)s/g)];
  if (parts.length !== 2) return null;
  const seconds = parts.reduce((sum, m) => sum + Number(m[1]) * 60 + Number(m[2]), 0);
  return Math.round(seconds * USER_HZ);
}

/** The power loop's CPU time in a reading (the `harness` line, jiffies); null when it was not running. */
export function parseHarnessJiffies(text: string): number | null {
  const m = /^harness\t(\d+)\s*$/m.exec(text);
  return m ? Number(m[1]) : null;
}

/** The files the runner left in meta/ (undefined: the file was not there). */
export interface BoardEnvironmentFiles {
  envBefore?: string;
  envAfter?: string;
  timesBefore?: string;
  timesAfter?: string;
}

/**
 * The command's TrialEnvironment: the readings before and after it, the CPU time of the run's own processes
 * (`times` after minus before: the command and whatever it waited for; plus the power loop's, the harness's
 * own work on the same cores; null when `times` is unreadable, then all busy time counts), and the verdict of
 * the track's guards. null when the board gave no readings (then nothing is judged).
 */
export function boardTrialEnvironment(files: BoardEnvironmentFiles, guards: GuardsSpec | undefined): TrialEnvironment | null {
  const before = files.envBefore === undefined ? null : parseBoardSnapshot(files.envBefore);
  const after = files.envAfter === undefined ? null : parseBoardSnapshot(files.envAfter);
  if (before === null || after === null) return null;
  const t0 = files.timesBefore === undefined ? null : parseChildrenTimes(files.timesBefore);
  const t1 = files.timesAfter === undefined ? null : parseChildrenTimes(files.timesAfter);
  const h0 = parseHarnessJiffies(files.envBefore!);
  const h1 = parseHarnessJiffies(files.envAfter!);
  const harness = h0 !== null && h1 !== null && h1 >= h0 ? h1 - h0 : 0;
  const ownJiffies = t0 === null || t1 === null || t1 < t0 ? null : t1 - t0 + harness;
  return { before, after, ownJiffies, verdict: judgeTrial(before, after, ownJiffies, guards) };
}
