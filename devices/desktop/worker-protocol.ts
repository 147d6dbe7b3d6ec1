/**
 * Messages between the harness and the ONNX inference child process (devices/desktop/onnx-worker.ts).
 * Sent over Node's IPC channel with `serialization: 'advanced'`, so typed arrays travel as such.
 */

import type { Postprocess, PredictionRow } from '../../harness/tasks/output-decoding.js';

export type ToWorker =
  /** `role` reference: the track's reference model, a second session timed beside the submission's. */
  | {
      type: 'load';
      modelPath: string;
      threads: number;
      inputName: string;
      outputName?: string;
      role?: 'submission' | 'reference';
      /** Outputs every timed run fetches (default: outputName alone); a detection model's three. */
      fetch?: readonly string[];
    }
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
      /**
       * Time the loaded reference too: blocks of at least this many ms each (at least one run), alternating
       * S R R S S R R S ..., ending on a whole group of four so that each model goes first as often as second.
       */
      pairedBlockMs?: number;
    }
  | { type: 'exit' };

export interface LoadedInfo {
  inputNames: string[];
  outputNames: string[];
  outputName: string;
  loadMs: number;
  runtime: string;
}

/** One row per image of the batch, as the post-process's task reads its outputs (harness/tasks/). */
export interface InferOutput {
  rows: PredictionRow[];
  outputShape: number[];
}

export type FromWorker =
  | { type: 'ready' }
  | { type: 'loaded'; info: LoadedInfo }
  | { type: 'inferred'; output: InferOutput; inferMs: number[] }
  /** An output held NaN or an infinity: `index` is the first such image in the batch. */
  | { type: 'non-finite'; index: number }
  | { type: 'bad-output'; message: string; outputShape: number[] }
  /** Detections of image `index` break the track's rules (a box outside the image, too many, an unknown class). */
  | { type: 'bad-detections'; message: string; index: number }
  | { type: 'progress'; phase: 'warmup' | 'timed'; done: number; elapsedMs: number }
  | {
      type: 'latency-done';
      samplesMs: Float64Array;
      warmupMs: Float64Array;
      /** Paired runs: the reference's timed runs and the block order (S submission, R reference). */
      referenceSamplesMs?: Float64Array;
      blockOrder?: string;
      /** Wall time of the timed phase (both models' blocks when paired), ms. */
      timedMs: number;
      /** maxRuns stopped the timed phase before minRuns and minDurationMs were both met. */
      capped: boolean;
      /** This process's CPU time so far (user + system, ms), from process.cpuUsage(). */
      cpuMs: number;
    }
  | { type: 'error'; stage: 'load' | 'run'; message: string };
