import { open } from 'node:fs/promises';
import path from 'node:path';
import { LpcvError } from '../../errors/lpcv-error.js';
import type { Measurement } from '../../harness/measurement.js';
import { robustnessSplitsOf } from '../../harness/datasets/corruptions/robustness-splits.js';
import { toInputTensor } from '../../harness/preprocess/to-tensor.js';
import type { TargetInfo } from '../../harness/result-record.js';
import { taskNamed } from '../../harness/tasks/task-registry.js';
import { validateModel, assertValid } from '../../submissions/validate/validate-model.js';
import { sleep } from '../agent/sleep.js';
import type { ProtocolCapabilities, Target, TargetJob, TargetRun } from '../targets/target.js';
import { AihubClient } from './aihub-client.js';
import { AIHUB_CODES, AihubFault, inStage, type AihubStage } from './aihub-faults.js';
import { chooseOutput, decodeOutputs, readOutputs, type HelperOutput } from './aihub-outputs.js';
import { layerReport, parseProfile, type AihubProfile } from './aihub-profile.js';
import { parseAihubSpec, type AihubSpec } from './aihub-spec.js';
import { checkSharedJob, readSharedJobArtifact, type SharedJobSummary } from './shared-compile-job.js';

export const ROBUSTNESS_NOT_ON_AIHUB = 'not run on AI Hub: the aihub:// driver runs the clean inputs only (docs/aihub.md)';
export const ENERGY_NOTE_AIHUB = 'AI Hub reports no power or energy for its devices: energy is not measured on hosted farms';

export interface AihubTargetOptions {
  readonly spec: string | AihubSpec;
  /** Extra environment for the helper (tests: the stand-in qai_hub on PYTHONPATH). */
  readonly env?: Readonly<Record<string, string>>;
}

interface JobState {
  readonly state: 'submitted' | 'running' | 'success' | 'failed';
  readonly message: string;
}

/**
 * A device on Qualcomm AI Hub (docs/aihub.md), the way LPCVC 2025-26 is refereed, driven through the official
 * `qai_hub` client in a helper process. Per job: a compile job (or the team's shared one), `protocol.trials`
 * profile jobs (one trial each; their raw per-iteration times are the latency samples) and one inference job on
 * the split's inputs (never labels), every job addressed and polled by its own id and listed in the report.
 * The agent's heartbeats hold the lease while AI Hub's queue waits; the track's limits.runTimeoutMs bounds the
 * whole run, queue included; an abort cancels the AI Hub jobs where the client allows it.
 */
export class AihubTarget implements Target {
  readonly name: string;
  readonly kind: string;
  readonly formats = ['onnx', 'aihub-job'] as const;
  readonly spec: AihubSpec;
  readonly client: AihubClient;
  #info: TargetInfo | undefined;

  constructor(o: AihubTargetOptions) {
    this.spec = typeof o.spec === 'string' ? parseAihubSpec(o.spec) : o.spec;
    this.name = this.spec.name;
    this.kind = this.spec.kind;
    this.client = new AihubClient({ python: this.spec.python, ...(o.env ? { env: o.env } : {}) });
  }

  capabilities(): Record<string, unknown> {
    const s = this.spec;
    return {
      driver: 'aihub',
      runtime: `AI Hub ${s.runtime}`,
      formats: [...this.formats],
      device: s.device,
      iterations: s.iterations,
      computeUnit: s.computeUnit ?? null,
      // Each trial is a profile job on whichever physical unit AI Hub picks: no pairing, no readable environment.
      protocol: { freshProcessTrials: false, referencePairing: false, environment: 'none' } satisfies ProtocolCapabilities,
    };
  }

  async probe(signal?: AbortSignal): Promise<TargetInfo> {
    const d = await inStage('run', () =>
      this.client.request<{ client: string; device: string; os: string }>(
        'probe',
        { device: this.spec.device },
        { ...(signal ? { signal } : {}), timeoutMs: 120_000 },
      ),
    );
    this.#info = {
      kind: this.kind,
      device: this.name,
      runtime: `AI Hub ${this.spec.runtime} (qai_hub ${d.client})`,
      threads: 1,
      os: d.os || 'AI Hub',
      cpu: d.device,
    };
    return this.#info;
  }

  async close(): Promise<void> {
    await this.client.close();
  }

  async run(job: TargetJob): Promise<TargetRun> {
    const format = job.artifact.format;
    if (format !== 'onnx' && format !== 'aihub-job')
      throw new LpcvError('LPCV_E_MODEL_FORMAT', `the AI Hub target takes ONNX models or shared compile jobs, not ${format}`);
    const limitMs = job.track.limits.runTimeoutMs;
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(), limitMs);
    const signal = AbortSignal.any([job.signal, deadline.signal]);
    const submitted: string[] = [];
    try {
      return await this.#run(job, signal, submitted);
    } catch (e) {
      if (!signal.aborted) throw e;
      // Not under the aborted signal: the helper may have been killed mid-call, and a fresh one cancels.
      await this.#cancel(submitted, job);
      if (job.signal.aborted) throw new LpcvError('LPCV_E_RUN_CANCELLED', `the AI Hub run was cancelled (jobs ${submitted.join(', ') || 'none yet'})`);
      throw new LpcvError(
        AIHUB_CODES.infrastructure,
        `AI Hub did not finish within the track's ${limitMs} ms (queue wait included; jobs ${submitted.join(', ') || 'none'}): given back to the queue`,
      );
    } finally {
      clearTimeout(timer);
    }
  }

  async #run(job: TargetJob, signal: AbortSignal, submitted: string[]): Promise<TargetRun> {
    const { track, log } = job;
    const s = this.spec;
    const info = this.#info ?? (await this.probe(signal));
    const call = <T>(stage: AihubStage, op: string, args: Record<string, unknown>): Promise<T> =>
      inStage(stage, () => this.client.request<T>(op, args, { signal }));
    const shape = [...track.input.shape];
    const dtype = track.input.dtype;

    // 1. The compiled model: compiled here from the ONNX file, or the team's own shared compile job, checked.
    let compileJobId: string;
    let inputName: string;
    let compiled: 'here' | 'shared';
    if (job.artifact.format === 'aihub-job') {
      const { jobId } = await readSharedJobArtifact(job.artifact.file);
      const summary = await call<SharedJobSummary>('sharedJob', 'get_job', { jobId });
      inputName = checkSharedJob(summary, { device: s.device, runtime: s.runtime, shape, dtype });
      compileJobId = jobId;
      compiled = 'shared';
    } else {
      const report = validateModel(job.artifact.file, track);
      assertValid(report);
      inputName = report.input!.name;
      job.onProgress({ phase: 'upload model', fraction: 0 });
      const { modelId } = await call<{ modelId: string }>('compile', 'upload_model', { path: job.artifact.file });
      ({ jobId: compileJobId } = await call<{ jobId: string }>('compile', 'submit_compile_job', {
        modelId,
        device: s.device,
        runtime: s.runtime,
        inputName,
        shape,
        dtype,
      }));
      submitted.push(compileJobId);
      log(`AI Hub compile job ${compileJobId} (${s.runtime} for ${s.device})`);
      await this.#wait(compileJobId, 'compile', 'compile', job, signal);
      compiled = 'here';
    }

    // 2. The inputs (no labels) as one dataset, then every trial's profile job and the inference job at once:
    // each waits in AI Hub's queue on its own, and is polled by its own id.
    job.onProgress({ phase: 'upload inputs', fraction: 0 });
    const { file: inputsFile, preprocessMs } = await writeInputs(job, path.join(job.workDir, 'inputs.bin'));
    const { datasetId } = await call<{ datasetId: string }>('run', 'upload_dataset', {
      file: inputsFile,
      dtype,
      shape,
      count: job.inputs.ids.length,
      inputName,
    });
    const unit = s.computeUnit !== undefined ? { computeUnit: s.computeUnit } : {};
    const trials = track.protocol.trials;
    const profileJobs: string[] = [];
    for (let t = 0; t < trials; t++) {
      const { jobId } = await call<{ jobId: string }>('run', 'submit_profile_job', { compileJobId, device: s.device, iterations: s.iterations, ...unit });
      submitted.push(jobId);
      profileJobs.push(jobId);
    }
    const { jobId: inferenceJob } = await call<{ jobId: string }>('run', 'submit_inference_job', { compileJobId, device: s.device, datasetId, ...unit });
    submitted.push(inferenceJob);
    log(`AI Hub profile jobs ${profileJobs.join(', ')}, inference job ${inferenceJob}`);

    const profiles: AihubProfile[] = [];
    for (const [t, id] of profileJobs.entries()) {
      await this.#wait(id, `profile ${t + 1}/${trials}`, 'run', job, signal);
      profiles.push(parseProfile(id, await call('run', 'download_profile', { jobId: id })));
    }
    await this.#wait(inferenceJob, 'inference', 'run', job, signal);
    const { outputs } = await call<{ outputs: Record<string, HelperOutput> }>('run', 'download_output_data', {
      jobId: inferenceJob,
      dir: path.join(job.workDir, 'outputs'),
    });
    const pp = taskNamed(track.task).postprocess(track);
    const samples = await readOutputs(outputs, job.inputs.ids.length);
    const predictions = decodeOutputs(samples, job.inputs, pp, chooseOutput(Object.keys(outputs), track.output.name));
    job.onProgress({ phase: 'done', fraction: 1 });

    const latencyMs = profiles.flatMap((p) => p.latencyMs);
    const measurement: Measurement = {
      predictions,
      runtime: info.runtime,
      threads: 1,
      protocol: { warmupRuns: 0, minRuns: s.iterations, minDurationMs: 0, maxRuns: s.iterations, trials },
      latencyMs,
      warmupMs: [],
      preprocessMs,
      trials: profiles.map((p) => ({ latencyMs: [...p.latencyMs], warmupMs: [], timedMs: p.latencyMs.reduce((a, b) => a + b, 0), capped: false })),
      applied: { freshProcessTrials: false, referencePaired: false, guards: false, scenario: 'single-stream' },
      targetReport: {
        driver: 'aihub',
        device: s.device,
        runtime: s.runtime,
        computeUnit: s.computeUnit ?? null,
        compileJob: { id: compileJobId, compiled },
        profileJobs: profiles.map((p) => ({
          id: p.jobId,
          iterations: p.latencyMs.length,
          estimatedMs: p.estimatedMs,
          memoryPeakRangeBytes: p.memoryPeakRange,
        })),
        inferenceJob,
        datasetId,
        ...layerReport(profiles[0]!, s.computeUnit),
        referencePairing:
          'impossible on AI Hub: each profile job runs on whichever physical unit AI Hub assigns, so a reference cannot share a trial with the submission',
        energyNote: ENERGY_NOTE_AIHUB,
      },
    };
    // The track's corrupted and adversarial splits are not run here (each would cost another inference job on a
    // farm that may queue for hours): the record says so, split by split, rather than leaving them out unexplained.
    const robustness = robustnessSplitsOf(track, job.split).map((r) => r.name);
    if (robustness.length > 0) measurement.robustnessSkipped = Object.fromEntries(robustness.map((n) => [n, ROBUSTNESS_NOT_ON_AIHUB]));
    return { measurement, target: info, energy: null, energyNote: ENERGY_NOTE_AIHUB };
  }

  /** Polls one AI Hub job by its own id until it ends; progress (and so the heartbeat's status) says where it is. */
  async #wait(jobId: string, what: string, stage: AihubStage, job: TargetJob, signal: AbortSignal): Promise<void> {
    let polls = 0;
    for (;;) {
      const st = await inStage(stage, () => this.client.request<JobState>('job_status', { jobId }, { signal }));
      if (st.state === 'success') return;
      if (st.state === 'failed') {
        throw new LpcvError(AIHUB_CODES[stage], `AI Hub ${what} job ${jobId} failed: ${st.message || 'no message'}`, { aihubJob: jobId });
      }
      polls += 1;
      job.onProgress({ phase: `${what}: ${st.state} (AI Hub job ${jobId})`, fraction: 0, done: polls });
      await sleep(this.spec.pollMs, signal);
      if (signal.aborted) throw new LpcvError('LPCV_E_RUN_CANCELLED', `stopped waiting for AI Hub job ${jobId}`);
    }
  }

  /** Cancels each job by its id; when the helper dies during a cancel (no answer), a fresh one is asked once more. */
  async #cancel(jobIds: readonly string[], job: TargetJob): Promise<void> {
    type Answer = { cancelled: boolean; why?: string; helperDied?: boolean };
    const ask = (jobId: string): Promise<Answer> =>
      this.client
        .request<{ cancelled: boolean; why?: string }>('cancel', { jobId }, { timeoutMs: 30_000 })
        .catch((e: unknown) => ({ cancelled: false, why: e instanceof Error ? e.message : String(e), helperDied: !(e instanceof AihubFault) }));
    for (const jobId of jobIds) {
      let r = await ask(jobId);
      if (r.helperDied === true) r = await ask(jobId);
      job.log(r.cancelled ? `AI Hub job ${jobId} cancelled` : `AI Hub job ${jobId} not cancelled: ${r.why ?? 'unknown'}`);
    }
  }
}

/** Every input's tensor, one after the other, in one raw little-endian file (the helper makes the dataset of it). */
async function writeInputs(job: TargetJob, file: string): Promise<{ file: string; preprocessMs: number[] }> {
  const out = await open(file, 'w');
  const preprocessMs: number[] = [];
  try {
    for (let i = 0; i < job.inputs.ids.length; i++) {
      const t0 = process.hrtime.bigint();
      const tensor = await toInputTensor(await job.inputs.read(i), job.track.input);
      preprocessMs.push(Number(process.hrtime.bigint() - t0) / 1e6);
      await out.write(new Uint8Array(tensor.buffer, tensor.byteOffset, tensor.byteLength));
    }
  } finally {
    await out.close();
  }
  return { file, preprocessMs };
}
