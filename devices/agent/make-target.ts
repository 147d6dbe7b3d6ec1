import os from 'node:os';
import { LpcvError } from '../../errors/lpcv-error.js';
import { AihubTarget } from '../aihub/aihub-target.js';
import { AndroidTarget } from '../android/android-target.js';
import { SshTarget } from '../ssh/ssh-target.js';
import { OnnxTarget } from '../desktop/onnx-target.js';
import { ENERGY_NOTE_DESKTOP } from '../desktop/target-info.js';
import { openPowerSampler, type HostPowerKind } from '../power/open-power-sampler.js';
import { parsePowerSource, type DriverPowerSources } from '../power/power-source-spec.js';
import { SolutionTarget } from '../solution/solution-target.js';
import { MultiFormatTarget } from '../targets/multi-format-target.js';
import type { Target } from '../targets/target.js';
import { SpecSettings, type DeviceSpec } from './device-spec.js';

/** The machine's name as a device name: each run on the same machine is the same device. */
export function hostDeviceName(): string {
  const name = os
    .hostname()
    .replace(/[^A-Za-z0-9._:-]/g, '-')
    .replace(/^[^A-Za-z0-9]+/, '')
    .slice(0, 100);
  return name === '' ? 'desktop' : name;
}

/**
 * The power sources a desktop reads (docs/power.md): sensors of this machine and a meter it reaches. Not a
 * phone's battery (that is read through an adb shell: adb:// devices).
 */
export const DESKTOP_POWER_SOURCES: DriverPowerSources<HostPowerKind> = {
  who: 'desktop devices',
  kinds: ['rapl', 'hwmon', 'ina3221', 'nvidia-smi', 'scpi', 'none'],
};

/**
 * The target a device spec describes (docs/agents.md, "Device specs"). Each driver takes its settings
 * from the spec and refuses the ones it does not know, so a typo is an error at start-up, not a device
 * that silently measures something else.
 */
export async function makeTarget(spec: DeviceSpec, log: (line: string) => void = () => {}): Promise<Target> {
  const s = new SpecSettings(spec);
  switch (spec.driver) {
    case 'desktop': {
      const name = spec.name ?? hostDeviceName();
      const kind = s.string('kind') ?? 'desktop';
      const powerSource = parsePowerSource(s.string('power') ?? 'none', DESKTOP_POWER_SOURCES, `device spec ${JSON.stringify(spec.text)}`);
      const solution = s.string('solution') ?? 'on';
      if (solution !== 'on' && solution !== 'off')
        throw new LpcvError('LPCV_E_DEVICE_SPEC', `device spec ${JSON.stringify(spec.text)}: solution=${solution}: expected on or off`);
      s.done();
      // Opened and probed now: a sensor named in the spec that is not there stops the start
      // (LPCV_E_POWER_NO_SENSOR), rather than the device quietly reporting no energy.
      const power = await openPowerSampler(powerSource);
      const energyNote = power === undefined ? `${ENERGY_NOTE_DESKTOP} (this device is configured with power=none)` : undefined;
      const onnx = new OnnxTarget({ name, kind, ...(power ? { power } : {}), ...(energyNote ? { energyNote } : {}) });
      // Solution packages run in the bubblewrap sandbox; without bubblewrap the probe drops them and the
      // device serves ONNX alone. One sampler serves both: a device runs one job at a time.
      return solution === 'on' ? new MultiFormatTarget([onnx, new SolutionTarget({ name, kind, ...(power ? { powerSampler: power } : {}) })], log) : onnx;
    }
    case 'adb':
      // The Android and SSH drivers parse their own settings from the spec text (android-spec.ts,
      // ssh-spec.ts) and name the device adb-<serial> / ssh-<host> unless the spec says name=.
      return new AndroidTarget({ spec: spec.text });
    case 'ssh':
      return SshTarget.fromSpec(spec.text);
    case 'aihub':
      // Parsed whole by devices/aihub/aihub-spec.ts; the qai_hub client is checked by the probe at start-up.
      return new AihubTarget({ spec: spec.text });
  }
}
