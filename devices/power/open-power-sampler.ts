/**
 * A power source read on the agent's own host (docs/power.md, "Choosing a source") to a sampler, opened and
 * probed at once (files there, tool answers, meter answers): LPCV_E_POWER_NO_SENSOR when it is not there, so
 * that a sensor named in a device spec that is missing stops the agent's start instead of the device quietly
 * reporting no energy. The `power=` value is parsed before, by the driver, with its own table of sources
 * (devices/power/power-source-spec.ts); a phone's battery is not among these: it is read through the phone's
 * shell, and the Android driver opens that sampler itself.
 */
import { openHwmonSampler } from './hwmon.js';
import { openIna3221Sampler } from './ina3221.js';
import { openNvidiaSmiSampler } from './nvidia-smi.js';
import type { PowerSampler } from './power-sampler.js';
import type { PowerSourceOf } from './power-source-spec.js';
import type { Clock, Timer } from './poller.js';
import { openRaplSampler } from './rapl.js';
import { openScpiMeterSampler } from './scpi-meter.js';

/** The sources a sampler on this host reads. */
export type HostPowerKind = 'none' | 'rapl' | 'hwmon' | 'ina3221' | 'nvidia-smi' | 'scpi';

export interface PowerSamplerDeps {
  /** The sysfs mount point (default /sys). */
  readonly root?: string;
  /** nvidia-smi's path (default on PATH). */
  readonly nvidiaSmi?: string;
  /** The sampling period (default: the source's own). */
  readonly periodMs?: number;
  readonly now?: Clock;
  readonly timer?: Timer;
}

/** Opens and probes the sampler of a source; undefined for `none`. */
export async function openPowerSampler(source: PowerSourceOf<HostPowerKind>, deps: PowerSamplerDeps = {}): Promise<PowerSampler | undefined> {
  const common = { periodMs: deps.periodMs, now: deps.now, timer: deps.timer };
  switch (source.kind) {
    case 'none':
      return undefined;
    case 'rapl':
      return openRaplSampler({ ...common, root: deps.root, zone: source.zone });
    case 'hwmon':
      return openHwmonSampler({ ...common, root: deps.root, select: source.select });
    case 'ina3221':
      return openIna3221Sampler({ ...common, root: deps.root, select: source.select });
    case 'nvidia-smi':
      return openNvidiaSmiSampler({ periodMs: deps.periodMs, now: deps.now, executable: deps.nvidiaSmi, gpu: source.gpu });
    case 'scpi':
      return openScpiMeterSampler({ ...common, host: source.host, port: source.port, element: source.element });
  }
}
