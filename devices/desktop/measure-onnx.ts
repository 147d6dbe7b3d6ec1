import { LpcvError } from '../../errors/lpcv-error.js';
import { OnnxProcess } from './onnx-process.js';
import type { Postprocess } from './worker-protocol.js';
import type { InputSet } from '../../harness/datasets/types.js';
import type { AgentTrack } from '../../harness/wire/index.js';
import { accuracyPass } from './accuracy-pass.js';
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
  protocol: AppliedProtocol;
  timeoutMs: number;
  /** Cancels the run: the inference process is killed and the promise rejects with LPCV_E_RUN_CANCELLED. */
  signal?: AbortSignal;
  /** `fraction` in [0, 1] of the phase; `done` images or runs, `total` the planned (or minimum) count. */
  onProgress?: (p: { phase: 'accuracy' | 'warmup' | 'latency'; done: number; total: number; fraction: number }) => void;
}

/** Inputs the latency pass cycles through: at most this many, and at most this many bytes. */
const LATENCY_POOL_MAX = 256;
const LATENCY_POOL_BYTES = 64 * 1024 * 1024;

/**
 * The measurement protocol on the desktop ONNX target (docs/protocol.md): an accuracy pass over every
 * input, then a latency pass (warm-up, then timed runs until the minimum count and duration are both
 * reached), in an inference child process. Pre-processing is timed per image, apart from inference.
 */
export async function measureOnnx(opts: MeasureOnnxOptions): Promise<Measurement> {
  const { track, inputs, protocol } = opts;
  const spec = track.input;
  const shape = [...spec.shape];
  const total = inputs.ids.length;
  const postprocess = postprocessFor(track);
  const proc = await OnnxProcess.start({
    timeoutMs: opts.timeoutMs,
    onProgress: (p) => {
      if (p.phase === 'warmup') return opts.onProgress?.({ phase: 'warmup', done: p.done, total: protocol.warmupRuns, fraction: 1 });
      // Timing ends when both the minimum count and the minimum duration are reached.
      const byCount = p.done / protocol.minRuns;
      const byTime = protocol.minDurationMs > 0 ? p.elapsedMs / protocol.minDurationMs : 1;
      opts.onProgress?.({ phase: 'latency', done: p.done, total: protocol.minRuns, fraction: Math.min(1, byCount, byTime) });
    },
  });
  const cancel = (): void => proc.kill(new LpcvError('LPCV_E_RUN_CANCELLED', 'the run was cancelled and its inference process killed'));
  if (opts.signal?.aborted) cancel();
  opts.signal?.addEventListener('abort', cancel, { once: true });
  const preprocessMs: number[] = [];
  const pool: (Float32Array | Uint8Array)[] = [];
  let poolBytes = 0;
  try {
    const info = await proc.load(opts.modelPath, opts.threads, opts.inputName, opts.outputName);
    const predictions = await accuracyPass(proc, inputs, {
      spec,
      postprocess,
      onTensor: (tensor, ms) => {
        preprocessMs.push(ms);
        if (pool.length < LATENCY_POOL_MAX && poolBytes + tensor.byteLength <= LATENCY_POOL_BYTES) {
          pool.push(tensor);
          poolBytes += tensor.byteLength;
        }
      },
      onChunk: (done) => opts.onProgress?.({ phase: 'accuracy', done, total, fraction: done / total }),
    });
    const latency = await proc.latency({ inputs: pool, shape, dtype: spec.dtype, ...protocol });
    return {
      predictions,
      runtime: info.runtime,
      threads: opts.threads,
      protocol,
      latencyMs: latency.samplesMs,
      warmupMs: latency.warmupMs,
      preprocessMs,
    };
  } finally {
    opts.signal?.removeEventListener('abort', cancel);
    await proc.close();
  }
}

/** What the inference process keeps of each output, with the shape the track demands of it. */
export function postprocessFor(track: AgentTrack): Postprocess {
  if (track.task === 'classification') return { kind: 'topk', k: 5, classes: track.output.numClasses ?? track.classes.length };
  if (track.task !== 'segmentation') {
    throw new LpcvError('LPCV_E_USAGE', `the desktop ONNX target measures classification and segmentation models, not ${track.task}`);
  }
  const s = track.input.shape;
  const [height, width] = track.input.layout === 'NHWC' ? [s[1]!, s[2]!] : [s[2]!, s[3]!];
  return { kind: 'argmax-map', classes: track.classes.length, height, width };
}
