/**
 * What a device exposes about its state around a trial (docs/protocol.md, "Environment guards"): read before and
 * after each trial by the target's environment probe (devices/environment/ on desktops and over SSH on boards,
 * the phone's own readings on adb), judged against the track's `protocol.guards`, and kept in the record. A
 * reading the device does not expose is null or absent, never guessed.
 */

/** One reading of the device's state. */
export interface EnvironmentSnapshot {
  /** When it was read: epoch ms on the reading machine's clock. */
  t: number;
  /** 1-minute load average (/proc/loadavg); null where unreadable. */
  loadAvg1: number | null;
  /**
   * Per core the run uses (its affinity; every core when unpinned): cumulative jiffies from /proc/stat. The
   * difference between two snapshots is that core's busy share over the interval.
   */
  cpu: { core: number; busyJiffies: number; totalJiffies: number }[];
  /** Per core: current and maximum frequency (kHz) and the governor (cpufreq), where the device exposes them. */
  cpufreq: { core: number; curKHz: number | null; maxKHz: number | null; governor: string | null }[];
  /** Thermal zones (sysfs thermal_zone*): type -> degrees C. */
  thermalC: Record<string, number>;
  /** Phones: Android's thermal status 0 (none) .. 6 (shutdown) and the battery temperature, when read. */
  phone?: { thermalStatus: number | null; batteryTempC: number | null; charging: boolean | null };
}

/** A trial's two readings and the guards' verdict on them. */
export interface TrialEnvironment {
  before: EnvironmentSnapshot;
  after: EnvironmentSnapshot;
  /**
   * CPU time of the run's own processes over the trial (jiffies), so that the guards count only what OTHER
   * processes did on the run's cores; null where the target cannot tell (then the whole busy share counts).
   */
  ownJiffies: number | null;
  /** The guards' verdict: ok, or each limit the trial broke, in words (e.g. "core 1 was 38% busy with other processes, limit 10%"). */
  verdict: { ok: boolean; reasons: string[] };
}
