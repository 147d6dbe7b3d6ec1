import path from 'node:path';
import type { EnvironmentSnapshot } from '../../harness/environment.js';
import { readIntegerOrNull, readText } from './read-text.js';

export type CoreFrequency = EnvironmentSnapshot['cpufreq'][number];

/**
 * Per core, from `<sys>/devices/system/cpu/cpuN/cpufreq/` (Documentation/admin-guide/pm/cpufreq.rst):
 * scaling_cur_freq (kHz, what the governor last set; cpuinfo_cur_freq would be the hardware's, but it is
 * readable by root only), cpuinfo_max_freq (kHz) and scaling_governor. Cores whose policy is shared (a
 * Raspberry Pi's four cores, a Jetson cluster) show the same figures; that is what the kernel says. A core
 * without a cpufreq folder (a VM, a kernel without cpufreq) is left out.
 */
export async function readCpufreq(sysRoot: string, cores: readonly number[]): Promise<CoreFrequency[]> {
  const out: CoreFrequency[] = [];
  for (const core of cores) {
    const dir = path.join(sysRoot, 'devices', 'system', 'cpu', `cpu${core}`, 'cpufreq');
    const [curKHz, maxKHz, governorText] = await Promise.all([
      readIntegerOrNull(path.join(dir, 'scaling_cur_freq')),
      readIntegerOrNull(path.join(dir, 'cpuinfo_max_freq')),
      readText(path.join(dir, 'scaling_governor')),
    ]);
    const governor = governorText?.trim().slice(0, 100) || null;
    if (curKHz === null && maxKHz === null && governor === null) continue;
    out.push({ core, curKHz: curKHz !== null && curKHz >= 0 ? curKHz : null, maxKHz: maxKHz !== null && maxKHz >= 0 ? maxKHz : null, governor });
  }
  return out;
}
