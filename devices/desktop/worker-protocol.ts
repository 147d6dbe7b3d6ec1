/**
 * Messages between the harness and the ONNX inference child process (devices/desktop/onnx-worker.ts).
 * Sent over Node's IPC channel with `serialization: 'advanced'`, so typed arrays travel as such.
 */

export type Postprocess =
  /** Classification: the k best class indices per image, best first. */
  | { kind: 'topk'; k: number; classes: number }
  /** Segmentation: per-pixel argmax over the class axis of an [1, C, H, W] output. */
  | { kind: 'argmax-map'; classes: number; height: number; width: number };

export type ToWorker =
  | { type: 'load'; modelPath: string; threads: number; inputName: string; outputName?: string }
  | {
      type: 'infer';
      /** One input tensor per image, each of `shape`. */
      inputs: (Float32Array | Uint8Array)[];
      shape: number[];
      dtype: 'float32' | 'uint8';
      postprocess: Postprocess;
    }
  | {
      type: 'latency';
      /** A pool of prepared inputs; timed runs cycle through it. */
      inputs: (Float32Array | Uint8Array)[];
      shape: number[];
      dtype: 'float32' | 'uint8';
      warmupRuns: number;
      minRuns: number;
      minDurationMs: number;
      maxRuns: number;
    }
  | { type: 'exit' };

export interface LoadedInfo {
  inputNames: string[];
  outputNames: string[];
  outputName: string;
  loadMs: number;
  runtime: string;
}

export type InferOutput =
  | { kind: 'topk'; topk: number[][]; outputShape: number[] }
  | { kind: 'argmax-map'; maps: Uint8Array[] | Uint16Array[]; width: number; height: number; outputShape: number[] };

export type FromWorker =
  | { type: 'ready' }
  | { type: 'loaded'; info: LoadedInfo }
  | { type: 'inferred'; output: InferOutput; inferMs: number[] }
  /** An output held NaN or an infinity: `index` is the first such image in the batch. */
  | { type: 'non-finite'; index: number }
  | { type: 'bad-output'; message: string; outputShape: number[] }
  | { type: 'progress'; phase: 'warmup' | 'timed'; done: number; elapsedMs: number }
  | { type: 'latency-done'; samplesMs: Float64Array; warmupMs: Float64Array }
  | { type: 'error'; stage: 'load' | 'run'; message: string };
