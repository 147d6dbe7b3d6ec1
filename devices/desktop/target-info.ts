import os from 'node:os';
import type { TargetInfo } from '../../harness/result-record.js';

/** Why a desktop run has no energy figure (the result's energyNote): no sensor, so no number. */
export const ENERGY_NOTE_DESKTOP = 'the desktop target has no power sensor that the harness can read';

/** What the desktop target is: host, OS and CPU model, for the result record. */
export function desktopTargetInfo(runtime: string, threads: number): TargetInfo {
  const cpus = os.cpus();
  return {
    kind: 'desktop',
    device: os.hostname(),
    runtime,
    threads,
    os: `${os.platform()} ${os.release()} ${os.arch()}`,
    cpu: `${cpus[0]?.model.trim() ?? 'unknown'} (${cpus.length} logical cores)`,
  };
}
