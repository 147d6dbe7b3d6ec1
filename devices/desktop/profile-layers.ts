/**
 * The measured per-layer profile of the desktop ONNX target (docs/protocol.md, "Per-layer profile"):
 * onnxruntime's profiler in a process of its own, run after the timed trials, each kernel's time per
 * run beside the MACs and CIO that `lpcv inspect` counts for the graph node it does the work of.
 */
import { LpcvError } from '../../errors/lpcv-error.js';
import type { LayerProfile } from '../../harness/layer-profile.js';
import { modelCost, readOnnxModel } from '../../submissions/onnx/index.js';
import { readModelFile } from '../../submissions/validate/validate-model.js';
import { matchKernels } from './profile-node-match.js';
import { runProfileWorker } from './profile-process.js';

/** The nodes a profile keeps (LayerProfile's limit). */
export const PROFILE_TOP_NODES = 25;
/**
 * Runs made before the profiled ones and left out: a fresh session's first runs allocate its memory arena
 * and warm the caches (seen on resnet_s and cnn_small: the first kernel took 95-137 us in run 1, 12-25 us in
 * run 2, 6-13 us from run 3 on), and the session here is fresh.
 */
export const PROFILE_WARMUP_RUNS = 3;
const MAX_RUNS = 1000;

export interface ProfileOnnxOptions {
  modelPath: string;
  inputName: string;
  outputName?: string;
  /** Prepared input tensors of `shape`; the runs cycle through them in order. */
  inputs: (Float32Array | Uint8Array)[];
  shape: number[];
  dtype: 'float32' | 'uint8';
  threads: number;
  /** Profiled runs, after PROFILE_WARMUP_RUNS unprofiled ones. */
  runs: number;
  /** Limit for loading and running the model in the profiling process (its start excluded). */
  timeoutMs: number;
  /** Cancels: the profiling process is killed and the promise rejects with LPCV_E_RUN_CANCELLED. */
  signal?: AbortSignal;
}

/**
 * Profiles the model in a fresh child process and joins each kernel with its graph node's costs. `totalMs`
 * is the sum over every kernel (not only the nodes kept) of its time per run: kernel time alone, a
 * little less than a whole run (the executor's own work and the input and output copies are in no kernel).
 */
export async function profileOnnx(opts: ProfileOnnxOptions): Promise<LayerProfile> {
  if (!Number.isInteger(opts.runs) || opts.runs < 1 || opts.runs > MAX_RUNS) {
    throw new LpcvError('LPCV_E_INTERNAL', `a profile takes 1 to ${MAX_RUNS} runs, not ${opts.runs}`);
  }
  if (opts.inputs.length === 0) throw new LpcvError('LPCV_E_INTERNAL', 'a profile needs at least one input');
  // The costs first: reading the graph is quick, and the same code as `lpcv inspect` (at the shape that
  // runs, so a model with symbolic dims gets the costs of the run profiled).
  const model = readOnnxModel(readModelFile(opts.modelPath), opts.modelPath);
  const cost = modelCost(model, { batch: opts.shape[0] ?? 1, inputShapes: { [opts.inputName]: opts.shape } });
  const uncounted = new Set(cost.uncountedLayers);

  const kernels = await runProfileWorker(
    {
      modelPath: opts.modelPath,
      threads: opts.threads,
      inputName: opts.inputName,
      ...(opts.outputName !== undefined ? { outputName: opts.outputName } : {}),
      inputs: opts.inputs,
      shape: opts.shape,
      dtype: opts.dtype,
      warmupRuns: PROFILE_WARMUP_RUNS,
      runs: opts.runs,
    },
    { timeoutMs: opts.timeoutMs, ...(opts.signal ? { signal: opts.signal } : {}) },
  );

  const totalMs = kernels.reduce((sum, k) => sum + k.ms, 0);
  const matched = matchKernels(
    model.graph.nodes,
    cost.layers.map((l) => l.name),
    kernels,
  );
  const nodes = kernels.map((kernel, k) => {
    const i = matched[k]!;
    const layer = i === null ? undefined : cost.layers[i]!;
    // modelCost counts an unknown MACs as 0 and lists the layer as uncounted: that is "not known", null here.
    const macs = layer === undefined || (uncounted.has(layer.name) && layer.macs === 0) ? null : layer.macs;
    return {
      // The graph's name where the kernel leads to a node, so the row reads beside `lpcv inspect`'s.
      name: layer?.name ?? kernel.name,
      op: kernel.op,
      ms: kernel.ms,
      share: totalMs > 0 ? kernel.ms / totalMs : 0,
      macs,
      cio: layer?.cio ?? null,
    };
  });
  // kernelTimes sorts by time, most first.
  return { runs: opts.runs, totalMs, nodes: nodes.slice(0, PROFILE_TOP_NODES) };
}
