import os from 'node:os';
import { LpcvError } from '../../errors/lpcv-error.js';
import type { TargetInfo } from '../../harness/result-record.js';
import { measureOnnx, type MeasureOnnxOptions } from './measure-onnx.js';
import { measureRobustnessOnnx, planRobustness } from './measure-robustness.js';
import { assertValid, validateModel } from '../../submissions/validate/validate-model.js';
import type { PowerSampler } from '../power/power-sampler.js';
import type { ProtocolCapabilities, Target, TargetJob, TargetRun } from '../targets/target.js';
import { measureWithPower } from '../targets/measure-with-power.js';
import type { EnvironmentProbe } from '../environment/environment-probe.js';
import { localEnvironmentProbe } from '../environment/local-probe.js';
import { runGuardedTrial } from '../environment/run-guarded-trial.js';
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
  /** Reads the machine before and after each trial (default: this machine's /proc and /sys, this process's cores). */
  readonly environment?: EnvironmentProbe;
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
  readonly #environment: EnvironmentProbe;

  constructor(o: OnnxTargetOptions = {}) {
    this.name = o.name ?? os.hostname();
    this.kind = o.kind ?? 'desktop';
    this.#power = o.power;
    this.#energyNote = o.energyNote ?? ENERGY_NOTE_DESKTOP;
    this.#environment = o.environment ?? localEnvironmentProbe();
  }

  capabilities(): Record<string, unknown> {
    const protocol: ProtocolCapabilities = { freshProcessTrials: true, referencePairing: true, environment: 'host' };
    return { driver: 'onnx', runtime: 'onnxruntime-node', formats: [...this.formats], power: this.#power?.source ?? null, protocol };
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
    const reference = job.reference === undefined ? undefined : referenceModel(job.reference, track);
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
          protocol: {
            warmupRuns: p.warmupRuns,
            minRuns: p.minRuns,
            minDurationMs: p.minDurationMs,
            maxRuns: p.maxRuns ?? Number.MAX_SAFE_INTEGER,
            trials: p.trials,
          },
          ...(reference ? { reference } : {}),
          // Every trial reads the machine before and after; the track's guards (if any) refuse a disturbed one.
          guardTrial: (attempt, t) =>
            runGuardedTrial({
              probe: this.#environment,
              guards: p.guards,
              attempt: () => attempt(),
              what: `trial ${t + 1} of ${p.trials}`,
              signal: job.signal,
              log: job.log,
            }),
          timeoutMs: track.limits.runTimeoutMs,
          maxRssBytes: track.limits.memoryMb * 1024 * 1024,
          signal: job.signal,
          log: job.log,
          onProgress: job.onProgress,
        }),
      track.power?.idle,
    );
    // The track's corrupted splits of this split (made here from the clean inputs) and its adversarial sets
    // (input packs from the server), outside the energy window (docs/robustness.md).
    const plan = await planRobustness(track, job.split, job.inputs, { adversarial: job.adversarialInputs ?? false });
    if (job.skipRobustness !== undefined) {
      const names = [...plan.passes.map((r) => r.name), ...Object.keys(plan.skipped)];
      if (names.length > 0) measurement.robustnessSkipped = Object.fromEntries(names.map((n) => [n, job.skipRobustness!]));
    } else if (Object.keys(plan.skipped).length > 0) measurement.robustnessSkipped = plan.skipped;
    if (plan.passes.length > 0 && job.skipRobustness === undefined) {
      const o = { modelPath: job.artifact.file, inputName: report.input!.name, ...(report.output ? { outputName: report.output.name } : {}) };
      measurement.robustness = await measureRobustnessOnnx({
        ...o,
        track,
        passes: plan.passes,
        threads: p.threads,
        timeoutMs: track.limits.runTimeoutMs,
        maxRssBytes: track.limits.memoryMb * 1024 * 1024,
        signal: job.signal,
        onProgress: job.onProgress,
      });
    }
    const target = { ...desktopTargetInfo(measurement.runtime, measurement.threads), kind: this.kind, device: this.name };
    return energy === null ? { measurement, target, energy, energyNote: this.#energyNote } : { measurement, target, energy, power };
  }
}

/**
 * The track's reference model, validated against the track like a submission (its input and output names are
 * its own). A reference that does not fit its own track is the organizer's problem, never the team's.
 */
function referenceModel(ref: NonNullable<TargetJob['reference']>, track: TargetJob['track']): NonNullable<MeasureOnnxOptions['reference']> {
  const report = validateModel(ref.file, track);
  if (!report.ok || report.input === null) {
    const why = report.problems[0]?.message ?? 'it has no input';
    throw new LpcvError('LPCV_E_TRACK_INVALID', `the track's reference model ${JSON.stringify(ref.name)} does not fit the track: ${why}`);
  }
  return {
    name: ref.name,
    sha256: ref.sha256,
    modelPath: ref.file,
    inputName: report.input.name,
    ...(report.output ? { outputName: report.output.name } : {}),
  };
}
