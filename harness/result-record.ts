import type { ModelFormat } from '../submissions/model-format.js';
import type { WallClock } from './measurement.js';
import type { LatencyStats } from '../scoring/latency-stats.js';

/**
 * The one result record (docs/protocol.md, 9): every run, local or remote, produces this JSON object. Raw latency
 * samples travel beside it (RawSamples), so that a score can be recomputed without re-running the device.
 */
export interface ResultRecord {
  track: string;
  split: string;
  model: { path: string; sha256: string; bytes: number; format: ModelFormat };
  target: TargetInfo;
  /** Metric name -> value in [0, 1]: top1, top5 | map, map50 | miou, mdice. */
  accuracy: Record<string, number>;
  /** Inference latency per image, around the runtime call alone. */
  latency: LatencyStats;
  /** Pre-processing time per image (decode + normalise), measured separately and never part of the score. */
  preprocess: LatencyStats | null;
  energy: EnergyRecord | null;
  /** Why energy is null (e.g. no power sensor on this target). */
  energyNote?: string;
  /**
   * Batch targets (solution packages, board commands): the harness's wall clock around the whole run, the
   * images it was given, and what the package said about itself (recorded, never used instead).
   */
  wall?: WallClock;
  score: { formula: string; version: number; value: number | null; qualified: boolean; reason?: string };
  protocol: { warmupRuns: number; minRuns: number; minDurationMs: number; timedRuns: number; accuracyImages: number };
  /** Accuracy on the track's robustness splits of this split (docs/robustness.md), when it declares any. */
  robustness?: RobustnessRecord;
  startedAt: string;
  finishedAt: string;
}

/**
 * Robustness splits scored against the clean split's labels with the same metric code as `accuracy`.
 * `splits` holds the corrupted splits (`<split>~<kind>-<severity>`), `adversarial` the adversarial sets
 * (`<split>~<name>`); `robustAccuracy` is the mean of `metric` over every declared corrupted split, null
 * when one of them was not measured (`notMeasured` says why) or none is declared.
 */
export interface RobustnessRecord {
  /** The primary metric robustAccuracy averages (the track's first metric). */
  metric: string;
  splits: Record<string, Record<string, number>>;
  robustAccuracy: number | null;
  adversarial: Record<string, Record<string, number>>;
  notMeasured?: Record<string, string>;
}

export interface TargetInfo {
  kind: string;
  device: string;
  runtime: string;
  threads: number;
  os: string;
  cpu: string;
}

export interface EnergyRecord {
  /** Gross energy over exactly the measured window (trapezoidal integration of the samples). */
  joules: number;
  avgWatts: number;
  source: string;
  sampleCount: number;
  /** The measured window's length in seconds (what idle power is multiplied by). */
  windowSeconds?: number;
  /** Idle power of the device, when the track subtracts it: a fixed figure from the track, or measured before the run. */
  idle?: { watts: number; source: 'track' | 'measured' };
}

export interface RawSamples {
  latencyMs: number[];
  warmupMs: number[];
  preprocessMs: number[];
  power: { t: number; watts: number }[];
}
