/**
 * What a device run produces, before any label is looked at: predictions, raw timings and the protocol
 * actually applied. The local `lpcv score` and the device agents produce it; the server (or the local
 * scorer) turns it into a result record with the hidden labels (harness/score/).
 */

export type Predictions =
  /** Classification: each image's best classes (up to 5), best first. */
  | { kind: 'topk'; ids: readonly string[]; topk: number[][] }
  /** Segmentation: each image's per-pixel class (argmax over the class axis). */
  | { kind: 'label-maps'; ids: readonly string[]; maps: LabelMapPrediction[] };

export interface LabelMapPrediction {
  width: number;
  height: number;
  data: Uint8Array | Uint16Array;
}

/** The run protocol as applied (the track's, with command-line overrides). */
export interface AppliedProtocol {
  warmupRuns: number;
  minRuns: number;
  minDurationMs: number;
  maxRuns: number;
}

export interface Measurement {
  predictions: Predictions;
  /** e.g. `onnxruntime-node 1.30.0`. */
  runtime: string;
  threads: number;
  protocol: AppliedProtocol;
  /** Timed runs of the latency pass, in ms, around the runtime call alone. */
  latencyMs: number[];
  warmupMs: number[];
  /** Per image: decode and pre-processing, in ms (never scored). */
  preprocessMs: number[];
}
