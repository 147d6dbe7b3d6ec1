import type { LayerProfile } from './layer-profile.js';
import type { OfflineTrial, ProtocolApplied, TrialSamples } from './trials.js';

/**
 * What a device run produces, before any label is looked at: predictions, raw timings and the protocol
 * actually applied. The local `lpcv score` and the device agents produce it; the server (or the local
 * scorer) turns it into a result record with the hidden labels (harness/score/).
 */

export type Predictions =
  /** Classification: each image's best classes (up to 5), best first. */
  | { kind: 'topk'; ids: readonly string[]; topk: number[][] }
  /** Segmentation: each image's per-pixel class (argmax over the class axis). */
  | { kind: 'label-maps'; ids: readonly string[]; maps: LabelMapPrediction[] }
  /** Detection: each image's boxes, any order (scoring sorts them by score). */
  | { kind: 'detections'; ids: readonly string[]; detections: DetectionPrediction[][] };

/** One detected object: its box in the input image's pixels (corners), confidence, and the track's class index. */
export interface DetectionPrediction {
  /** [x1, y1, x2, y2], x1 <= x2 and y1 <= y2. */
  box: [number, number, number, number];
  score: number;
  classIndex: number;
}

export interface LabelMapPrediction {
  width: number;
  height: number;
  data: Uint8Array | Uint16Array;
}

/** The run protocol as applied (the track's, with command-line overrides). */
export interface AppliedProtocol {
  warmupRuns: number;
  /** Per trial (protocol v2): each trial runs until both minimums are met, or maxRuns. */
  minRuns: number;
  minDurationMs: number;
  maxRuns: number;
  /** Independent trials (fresh processes); 1 for targets that run once. Absent in records made before protocol v2. */
  trials?: number;
}

export interface Measurement {
  predictions: Predictions;
  /** e.g. `onnxruntime-node 1.30.0`. */
  runtime: string;
  threads: number;
  protocol: AppliedProtocol;
  /** Timed runs of the latency pass, in ms, around the runtime call alone: every trial's, in trial order. */
  latencyMs: number[];
  warmupMs: number[];
  /** Per image: decode and pre-processing, in ms (never scored). */
  preprocessMs: number[];
  /**
   * A target that runs the whole batch at once (a solution package, a board's command): the harness's own
   * wall clock around it. `selfReportedMs` is what the package said about itself, kept beside it and never
   * used instead of it (docs/solution-packages.md: the 2023 referee trusted a self-reported time).
   */
  wall?: WallClock;
  /**
   * What the target's own tools reported, verbatim or parsed (benchmark_model summaries, battery and
   * thermal state before and after, the board command's exit), for the record and for audits. JSON only,
   * at most 64 KiB serialised; never scored.
   */
  targetReport?: Record<string, unknown>;
  /**
   * The track's robustness splits of this split (docs/robustness.md): one accuracy pass each, named
   * `<split>~<corruption>-<severity>` or `<split>~<adversarial set>`, the same ids in the same order as
   * `predictions`. Absent when the track declares none for this split or the run skipped them.
   */
  robustness?: Record<string, Predictions>;
  /** Robustness splits the track declares that this run did not measure, and why (e.g. adversarial sets on an agent). */
  robustnessSkipped?: Record<string, string>;
  /** Protocol v2: each independent trial's samples (latencyMs above is their concatenation). Absent: one run, as before v2. */
  trials?: TrialSamples[];
  /** The reference model the trials were paired with (`protocol.reference`): its baseline name and sha256. */
  reference?: { name: string; sha256: string };
  /** The Offline scenario's trials, instead of per-run latency (latencyMs then holds no samples). */
  offline?: OfflineTrial[];
  /** What of protocol v2 the target applied (absent: a target from before v2). */
  applied?: ProtocolApplied;
  /** Per-layer times from a profiling run after the trials (desktop ONNX target). */
  profile?: LayerProfile;
}

export interface WallClock {
  /** Monotonic ms from the start of the package's process to its exit. */
  durationMs: number;
  /** Images the run was given. */
  images: number;
  selfReportedMs?: number;
}
