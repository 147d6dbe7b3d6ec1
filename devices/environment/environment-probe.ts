import type { EnvironmentSnapshot } from '../../harness/environment.js';

/**
 * Reads what a device exposes about its state (harness/environment.ts): the local machine's /proc and sysfs
 * (local-probe.ts), a phone's dumpsys readings (devices/android/), a board's files read over SSH. The guards
 * (judge-trial.ts, run-guarded-trial.ts) take any of them.
 */
export interface EnvironmentProbe {
  snapshot(): Promise<EnvironmentSnapshot>;
}
