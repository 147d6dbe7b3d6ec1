import os from 'node:os';
import { LpcvError } from '../../errors/lpcv-error.js';
import type { TargetInfo } from '../../harness/result-record.js';
import { measureOnnx } from './measure-onnx.js';
import { measureRobustnessOnnx, planRobustness } from './measure-robustness.js';
import { assertValid, validateModel } from '../../submissions/validate/validate-model.js';
import type { PowerSampler } from '../power/power-sampler.js';
import type { Target, TargetJob, TargetRun } from '../targets/target.js';
import { measureWithPower } from '../targets/measure-with-power.js';
import { ENERGY_NOTE_DESKTOP, desktopTargetInfo } from './target-info.js';

export interface OnnxTargetOptions {
  /** The device's name (default: the host name). */
  readonly name?: string;
  /** The target kind it serves (default `desktop`). */
  readonly kind?: string;
  /** A power sampler bracketing the whole run (accuracy and latency passes); none: energy null. */
  readonly power?: PowerSampler;
  /** Why energy is null when there is no sampler (default: the desktop has no sensor the harness reads). */
  readonly energyNote?: string;
}

/**
 * The desktop ONNX target (devices/desktop/): the model validated against the track with the same code as
 * `lpcv validate`, then measured by the harness protocol (docs/protocol.md) in an inference child process
 * on this machine's CPU. With a power sampler, energy covers the whole measured run: the sampler starts
 * before the inference process and stops after it (docs/power.md).
 */
export class OnnxTarget implements Target {
  readonly name: string;
  readonly kind: string;
  readonly formats = ['onnx'] as const;
  readonly #power: PowerSampler | undefined;
  readonly #energyNote: string;

  constructor(o: OnnxTargetOptions = {}) {
    this.name = o.name ?? os.hostname();
    this.kind = o.kind ?? 'desktop';
    this.#power = o.power;
    this.#energyNote = o.energyNote ?? ENERGY_NOTE_DESKTOP;
  }

  capabilities(): Record<string, unknown> {
    return { driver: 'onnx', runtime: 'onnxruntime-node', formats: [...this.formats], power: this.#power?.source ?? null };
  }

  async probe(): Promise<TargetInfo> {
    return { ...desktopTargetInfo('onnxruntime-node', 1), kind: this.kind, device: this.name };
  }

  async run(job: TargetJob): Promise<TargetRun> {
    if (job.artifact.format !== 'onnx') {
      throw new LpcvError('LPCV_E_MODEL_FORMAT', `the ONNX target runs ONNX models, not ${job.artifact.format}`);
    }
    const { track } = job;
    const report = validateModel(job.artifact.file, track);
    assertValid(report);
    const p = track.protocol;
    const {
      result: measurement,
      energy,
      power,
    } = await measureWithPower(
      this.#power,
      () =>
        measureOnnx({
          modelPath: job.artifact.file,
          inputName: report.input!.name,
          ...(report.output ? { outputName: report.output.name } : {}),
          track,
          inputs: job.inputs,
          threads: p.threads,
          protocol: { warmupRuns: p.warmupRuns, minRuns: p.minRuns, minDurationMs: p.minDurationMs, maxRuns: p.maxRuns ?? Number.MAX_SAFE_INTEGER },
          timeoutMs: track.limits.runTimeoutMs,
          signal: job.signal,
          onProgress: job.onProgress,
        }),
      track.power?.idle,
    );
    // The track's corrupted splits of this split (made here from the clean inputs) and its adversarial sets
    // (input packs from the server), outside the energy window (docs/robustness.md).
    const plan = await planRobustness(track, job.split, job.inputs, { adversarial: job.adversarialInputs ?? false });
    if (Object.keys(plan.skipped).length > 0) measurement.robustnessSkipped = plan.skipped;
    if (plan.passes.length > 0) {
      const o = { modelPath: job.artifact.file, inputName: report.input!.name, ...(report.output ? { outputName: report.output.name } : {}) };
      measurement.robustness = await measureRobustnessOnnx({
        ...o,
        track,
        passes: plan.passes,
        threads: p.threads,
        timeoutMs: track.limits.runTimeoutMs,
        signal: job.signal,
        onProgress: job.onProgress,
      });
    }
    const target = { ...desktopTargetInfo(measurement.runtime, measurement.threads), kind: this.kind, device: this.name };
    return energy === null ? { measurement, target, energy, energyNote: this.#energyNote } : { measurement, target, energy, power };
  }
}
