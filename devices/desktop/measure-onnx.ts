import { LpcvError } from '../../errors/lpcv-error.js';
import { OnnxProcess, type LatencyRun } from './onnx-process.js';
import type { InputSet } from '../../harness/datasets/types.js';
import type { TrialEnvironment } from '../../harness/environment.js';
import type { AgentTrack } from '../../harness/wire/index.js';
import type { TrialSamples } from '../../harness/trials.js';
import { seededPermutation } from '../../scoring/seeded-permutation.js';
import { accuracyPass } from './accuracy-pass.js';
import type { Postprocess } from '../../harness/tasks/output-decoding.js';
import { taskNamed } from '../../harness/tasks/task-registry.js';
import { profileOnnx } from './profile-layers.js';
import type { LayerProfile } from '../../harness/layer-profile.js';
import type { AppliedProtocol, Measurement } from '../../harness/measurement.js';

export interface MeasureOnnxOptions {
  modelPath: string;
  /** The model's own input and output names (validation found them). */
  inputName: string;
  outputName?: string;
  track: AgentTrack;
  /** Inputs only: the measuring side never has labels. */
  inputs: InputSet;
  threads: number;
  /** Per trial (warm-up, minimum runs and duration, cap), and the number of trials. */
  protocol: AppliedProtocol & { trials: number };
  /** The track's reference model, timed beside the submission in every trial (its own validated names). */
  reference?: { name: string; sha256: string; modelPath: string; inputName: string; outputName?: string };
  /** Wall-clock limit for the whole measurement (accuracy pass and every trial); past it LPCV_E_MODEL_TIMEOUT. */
  timeoutMs: number;
  /** Resident memory each inference process may hold, bytes (the track's limits.memoryMb); past it LPCV_E_MODEL_MEMORY. */
  maxRssBytes?: number;
  /** Cancels the run: the inference process is killed and the promise rejects with LPCV_E_RUN_CANCELLED. */
  signal?: AbortSignal;
  /**
   * Runs one attempt of a trial under the environment guards (devices/environment): reads the device before and
   * after, repeats a disturbed attempt, and says what it saw. Without it the trial runs once, unread.
   */
  guardTrial?: GuardTrial;
  /** Profiled runs after the trials (default PROFILE_RUNS; 0: no profile). */
  profileRuns?: number;
  log?: (line: string) => void;
  /** `fraction` in [0, 1] of the phase; `done` images or runs, `total` the planned (or minimum) count. */
  onProgress?: (p: { phase: 'accuracy' | 'warmup' | 'latency'; done: number; total: number; fraction: number; trial?: number }) => void;
}

/** One attempt of a trial: its result and the CPU time (jiffies) of the run's own processes, or null when unknown. */
export type TrialAttempt<T> = () => Promise<{ result: T; ownJiffies: number | null }>;

export type GuardTrial = <T>(attempt: TrialAttempt<T>, trial: number) => Promise<{ result: T; environment?: TrialEnvironment; refused?: TrialEnvironment[] }>;

/**
 * Runs of the profiling process: the interquartile mean then averages 16 runs with 7 dropped at each end, robust
 * to a few pauses and finer than onnxruntime's whole microseconds; about 0.6-1 s on the sample track's baselines.
 */
export const PROFILE_RUNS = 30;

/** Inputs the latency pass cycles through: at most this many, and at most this many bytes. */
const LATENCY_POOL_MAX = 256;
const LATENCY_POOL_BYTES = 64 * 1024 * 1024;
/** Linux reports CPU time in clock ticks of 1/100 s (USER_HZ, sysconf(_SC_CLK_TCK) on every Linux ABI). */
const MS_PER_JIFFY = 10;

/**
 * The measurement protocol on the desktop ONNX target (docs/protocol.md): an accuracy pass over every input in
 * one inference process, then `protocol.trials` independent trials of the latency pass, each in a fresh
 * inference process with a fresh session: warm-up, then timed runs until the per-trial minimum count and
 * duration are both reached. With a reference model, each trial process loads it too and times both in
 * alternating blocks (S R R S ...), so that the submission and the reference share whatever speed that process
 * runs at. Pre-processing is timed per image, apart from inference. The latency pool's order is shuffled by the
 * track's seed (the same order on every machine).
 */
export async function measureOnnx(opts: MeasureOnnxOptions): Promise<Measurement> {
  const { track, inputs, protocol } = opts;
  const spec = track.input;
  const shape = [...spec.shape];
  const total = inputs.ids.length;
  const deadline = Date.now() + opts.timeoutMs;
  const remainingMs = (): number => {
    const left = deadline - Date.now();
    if (left <= 0) throw new LpcvError('LPCV_E_MODEL_TIMEOUT', `the run exceeded its time limit of ${opts.timeoutMs} ms and was killed`);
    return left;
  };

  const preprocessMs: number[] = [];
  const pool: (Float32Array | Uint8Array)[] = [];
  let poolBytes = 0;
  const accuracy = await inProcess(opts, remainingMs(), undefined, async (proc) => {
    const info = await proc.load(opts.modelPath, opts.threads, opts.inputName, opts.outputName, 'submission', fetchFor(track));
    const predictions = await accuracyPass(proc, inputs, {
      spec,
      postprocess: postprocessFor(track),
      onTensor: (tensor, ms) => {
        preprocessMs.push(ms);
        if (pool.length < LATENCY_POOL_MAX && poolBytes + tensor.byteLength <= LATENCY_POOL_BYTES) {
          pool.push(tensor);
          poolBytes += tensor.byteLength;
        }
      },
      onChunk: (done) => opts.onProgress?.({ phase: 'accuracy', done, total, fraction: done / total }),
    });
    return { info, predictions };
  });
  const order = seededPermutation(pool.length, track.protocol.seed);
  const latencyPool = order.map((i) => pool[i]!);

  const trials: TrialSamples[] = [];
  for (let t = 0; t < protocol.trials; t++) {
    const attempt: TrialAttempt<LatencyRun> = async () => {
      const parentCpu = process.cpuUsage();
      const run = await inProcess(opts, remainingMs(), t, async (proc) => {
        await proc.load(opts.modelPath, opts.threads, opts.inputName, opts.outputName, 'submission', fetchFor(track));
        if (opts.reference) {
          await proc.load(opts.reference.modelPath, opts.threads, opts.reference.inputName, opts.reference.outputName, 'reference', fetchFor(track));
        }
        return proc.latency({
          inputs: latencyPool,
          shape,
          dtype: spec.dtype,
          warmupRuns: protocol.warmupRuns,
          minRuns: protocol.minRuns,
          minDurationMs: protocol.minDurationMs,
          maxRuns: protocol.maxRuns,
          ...(opts.reference ? { pairedBlockMs: track.protocol.blockMs } : {}),
        });
      });
      // The run's own CPU: the inference process's whole life and this process's share of the same stretch.
      const parent = process.cpuUsage(parentCpu);
      return { result: run, ownJiffies: Math.round((run.cpuMs + (parent.user + parent.system) / 1000) / MS_PER_JIFFY) };
    };
    const guarded = opts.guardTrial ? await opts.guardTrial(attempt, t) : { result: (await attempt()).result };
    const run = guarded.result;
    trials.push({
      latencyMs: run.samplesMs,
      warmupMs: run.warmupMs,
      ...(run.referenceSamplesMs ? { referenceLatencyMs: run.referenceSamplesMs, blockOrder: run.blockOrder ?? '' } : {}),
      timedMs: run.timedMs,
      capped: run.capped,
      ...(guarded.environment ? { environment: guarded.environment } : {}),
      ...(guarded.refused && guarded.refused.length > 0 ? { refused: guarded.refused } : {}),
    });
  }
  const profile = opts.profileRuns === 0 ? undefined : await profileAfterTrials(opts, latencyPool, shape, remainingMs());
  return {
    predictions: accuracy.predictions,
    runtime: accuracy.info.runtime,
    threads: opts.threads,
    protocol,
    latencyMs: trials.flatMap((t) => t.latencyMs),
    warmupMs: trials.flatMap((t) => t.warmupMs),
    preprocessMs,
    trials,
    ...(opts.reference ? { reference: { name: opts.reference.name, sha256: opts.reference.sha256 } } : {}),
    ...(track.protocol.scenario === 'offline' ? { offline: trials.map((t) => ({ images: t.latencyMs.length, wallMs: t.timedMs })) } : {}),
    applied: {
      freshProcessTrials: true,
      referencePaired: opts.reference !== undefined,
      guards: opts.guardTrial !== undefined,
      scenario: track.protocol.scenario,
    },
    ...(profile ? { profile } : {}),
  };
}

/**
 * The per-layer profile (docs/protocol.md, "Per-layer profile"): onnxruntime's profiler in a process of its own,
 * after the timed trials so that profiling never slows a timed run. A profiler that fails leaves the record
 * without a profile (and says so in the log) rather than failing a run whose trials all succeeded; a cancel or
 * the run's time limit still ends the run.
 */
async function profileAfterTrials(
  opts: MeasureOnnxOptions,
  pool: (Float32Array | Uint8Array)[],
  shape: number[],
  timeoutMs: number,
): Promise<LayerProfile | undefined> {
  try {
    return await profileOnnx({
      modelPath: opts.modelPath,
      inputName: opts.inputName,
      ...(opts.outputName !== undefined ? { outputName: opts.outputName } : {}),
      inputs: pool.slice(0, PROFILE_RUNS),
      shape,
      dtype: opts.track.input.dtype,
      threads: opts.threads,
      runs: opts.profileRuns ?? PROFILE_RUNS,
      timeoutMs,
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
  } catch (e) {
    if (e instanceof LpcvError && (e.code === 'LPCV_E_RUN_CANCELLED' || e.code === 'LPCV_E_MODEL_TIMEOUT')) throw e;
    opts.log?.(`the per-layer profile failed, the record has none: ${e instanceof Error ? e.message : String(e)}`);
    return undefined;
  }
}

/**
 * One inference process for `work`, closed (or killed) afterwards whatever happens; cancelled with the run.
 * Progress of trial `trial` is reported as a share of the whole latency phase.
 */
async function inProcess<T>(opts: MeasureOnnxOptions, timeoutMs: number, trial: number | undefined, work: (proc: OnnxProcess) => Promise<T>): Promise<T> {
  const { protocol } = opts;
  const trials = protocol.trials;
  const proc = await OnnxProcess.start({
    timeoutMs,
    runLimitMs: opts.timeoutMs,
    ...(opts.maxRssBytes !== undefined ? { maxRssBytes: opts.maxRssBytes } : {}),
    onProgress: (p) => {
      if (trial === undefined) return;
      if (p.phase === 'warmup') return opts.onProgress?.({ phase: 'warmup', done: p.done, total: protocol.warmupRuns, fraction: trial / trials, trial });
      // Timing ends when both the minimum count and the minimum duration are reached.
      const byCount = p.done / protocol.minRuns;
      const byTime = protocol.minDurationMs > 0 ? p.elapsedMs / protocol.minDurationMs : 1;
      const within = Math.min(1, byCount, byTime);
      opts.onProgress?.({ phase: 'latency', done: p.done, total: protocol.minRuns, fraction: (trial + within) / trials, trial });
    },
  });
  const cancel = (): void => proc.kill(new LpcvError('LPCV_E_RUN_CANCELLED', 'the run was cancelled and its inference process killed'));
  if (opts.signal?.aborted) cancel();
  opts.signal?.addEventListener('abort', cancel, { once: true });
  try {
    return await work(proc);
  } finally {
    opts.signal?.removeEventListener('abort', cancel);
    await proc.close();
  }
}

/** What the inference process keeps of each output, with the shape the track demands of it (the track's task says). */
export function postprocessFor(track: AgentTrack): Postprocess {
  return taskNamed(track.task).postprocess(track);
}

/** What each timed run fetches: the outputs the task names (a detection model's), else the one output validation chose. */
export function fetchFor(track: AgentTrack): readonly string[] | undefined {
  const task = taskNamed(track.task);
  return task.fetch(task.postprocess(track));
}
