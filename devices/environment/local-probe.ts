import type { EnvironmentSnapshot } from '../../harness/environment.js';
import { readCpufreq } from './cpufreq.js';
import type { EnvironmentProbe } from './environment-probe.js';
import { readLoadAvg1 } from './loadavg.js';
import { readAllowedCores } from './process-cpu.js';
import { readCpuJiffies } from './proc-stat.js';
import { readThermalZones, thermalRecord } from './thermal-zones.js';

export interface LocalProbeOptions {
  /** The cores the run uses (its affinity); default: the cores this process may run on (Cpus_allowed_list). */
  cores?: readonly number[];
  /** Where procfs is mounted (default /proc); the tests give a fixture tree. */
  procRoot?: string;
  /** Where sysfs is mounted (default /sys). */
  sysRoot?: string;
  /** Epoch ms for the snapshot's `t` (default Date.now). */
  now?: () => number;
}

export interface LocalEnvironmentProbe extends EnvironmentProbe {
  /** The cores read: the ones given, else this process's allowed cores (every core in /proc/stat when unreadable). */
  cores(): Promise<number[]>;
}

/**
 * The machine this process runs on: /proc/stat for the run's cores, /proc/loadavg, cpufreq of the run's
 * cores, every thermal zone. Readings the machine does not expose (no cpufreq or thermal sysfs in a VM) are
 * simply absent. The readings are taken together (Promise.all) so that the snapshot is one moment, and
 * /proc/stat is read first so that it sits as close to the trial as the call allows.
 */
export function localEnvironmentProbe(o: LocalProbeOptions = {}): LocalEnvironmentProbe {
  const procRoot = o.procRoot ?? '/proc';
  const sysRoot = o.sysRoot ?? '/sys';
  const now = o.now ?? Date.now;
  let cores: Promise<number[]> | undefined = o.cores ? Promise.resolve([...o.cores].sort((a, b) => a - b)) : undefined;
  const coresRead = (): Promise<number[]> =>
    (cores ??= readAllowedCores(procRoot, 'self').then(async (allowed) => allowed ?? (await readCpuJiffies(procRoot)).map((c) => c.core)));
  return {
    cores: coresRead,
    async snapshot(): Promise<EnvironmentSnapshot> {
      const run = await coresRead();
      const t = now();
      const [cpu, loadAvg1, cpufreq, zones] = await Promise.all([
        readCpuJiffies(procRoot, run),
        readLoadAvg1(procRoot),
        readCpufreq(sysRoot, run),
        readThermalZones(sysRoot),
      ]);
      return { t, loadAvg1, cpu, cpufreq, thermalC: thermalRecord(zones) };
    },
  };
}
