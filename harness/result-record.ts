import type { ModelFormat } from '../submissions/model-format.js';
import type { TrialEnvironment } from './environment.js';
import type { LayerProfile } from './layer-profile.js';
import type { WallClock } from './measurement.js';
import type { TrialSamples } from './trials.js';
import type { LatencyStats } from '../scoring/latency-stats.js';
import type { LatencyStatistic } from '../scoring/formulas/measure-names.js';

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
  /**
   * Inference latency per image, around the runtime call alone. With protocol v2's trials each statistic is the
   * median over the trials of that statistic (p50: the median of the trial medians) and `ci95` the between-trial
   * interval of the p50; without trials (records from before v2, targets that run once) the pooled samples'.
   */
  latency: RecordLatency;
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
  /**
   * `statistic`: the statistic of the latency the score used, with its interval (docs/formulas.md, "Which latency
   * statistic"); null when the score used none (energy- or throughput-only), absent in records made before scores
   * named it.
   */
  score: {
    formula: string;
    version: number;
    value: number | null;
    qualified: boolean;
    reason?: string;
    statistic?: ScoreStatistic | null;
    /**
     * The score's 95% interval: the formula at the two ends of its latency statistic's interval (harness/score/score-interval.ts);
     * absent where that statistic has none, and in records made before it existed. The leaderboard's ties compare it.
     */
    ci95?: [number, number];
  };
  /** minRuns and minDurationMs are per trial; `trials` how many ran (absent before protocol v2). */
  protocol: { warmupRuns: number; minRuns: number; minDurationMs: number; timedRuns: number; accuracyImages: number; trials?: number };
  /** Accuracy on the track's robustness splits of this split (docs/robustness.md), when it declares any. */
  robustness?: RobustnessRecord;
  /** Submission / reference latency, paired per trial in one process (when the track names a reference). */
  relativeLatency?: BetweenTrials & { reference: string; perTrial: number[] };
  /** relativeLatency x the reference's latency fixed in the track (`protocol.referenceLatencyMs`), in ms. */
  calibratedLatency?: BetweenTrials & { referenceLatencyMs: number };
  /** The Offline scenario: images per second over each trial's stream, across trials. */
  throughput?: BetweenTrials;
  /** Which parts of the protocol held (docs/protocol.md, "Validity"); absent in records made before protocol v2. */
  validity?: Validity;
  /** What the environment guards saw, per trial (the accepted attempt), and how many attempts they refused. */
  environment?: { trials: (TrialEnvironment | null)[]; refusedAttempts: number };
  /** Per-layer times from a profiling run after the trials (desktop ONNX target). */
  profile?: LayerProfile;
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

/**
 * The statistic of the latency a score used (harness/score/score-statistic.ts): its value as the formula read it and
 * its interval. With trials the between-trial interval (`latency.betweenTrials`, or across the per-trial figures;
 * `calibratedLatency`'s for the calibrated latency); without trials the within-run interval of the p50 (the pooled
 * samples' order statistics); null where none exists (a mean or a p90 without trials, min, max, std, LoadGen's
 * early-stopping p90, which is itself a confidence bound).
 */
export interface ScoreStatistic {
  /** mean, p50, p90, p95, p99, min, max, std, p90EarlyStopping or calibrated (scoring/formulas/measure-names.ts). */
  name: LatencyStatistic;
  /** ms per image. */
  value: number;
  ci95: [number, number] | null;
  /** The interval's exact coverage (below 0.95 for fewer than 6 trials), null without an interval. */
  coverage: number | null;
}

/** A figure measured in several independent trials: the median over trials and its distribution-free interval. */
export interface BetweenTrials {
  value: number;
  ci95: [number, number];
  /** The interval's exact coverage for this many trials (below 0.95 for fewer than 6: docs/protocol.md). */
  coverage: number;
  count: number;
}

export type RecordLatency = LatencyStats & {
  /** Protocol v2: each trial's own statistics, in trial order. */
  trials?: LatencyStats[];
  /** MLPerf LoadGen's early-stopping estimate of the p90 (confidence 0.99) over every timed run; null when too few runs. */
  p90EarlyStopping?: number | null;
  /** Between-trial summaries of the statistics formulas use (value = the median over trials). */
  betweenTrials?: { mean: BetweenTrials; p50: BetweenTrials; p90: BetweenTrials };
};

/** Which parts of the measurement protocol held; `valid` is all of the applicable ones. */
export interface Validity {
  /** Every trial reached minRuns. */
  minRunsMet: boolean;
  /** Every trial's timed phase lasted minDurationMs. */
  minDurationMet: boolean;
  /** maxRuns ended at least one trial early (then one of the two above is false). */
  cappedByMaxRuns: boolean;
  /** Enough timed runs for LoadGen's early-stopping p90 at 0.99 confidence. */
  earlyStoppingMet: boolean;
  /** Every accepted trial passed the environment guards; null where the target reads no environment. */
  environmentPassed: boolean | null;
  /** Trials ran in fresh processes (false: a target that runs once, e.g. a batch package or a hosted farm). */
  freshProcessTrials: boolean;
  /** The track names a reference and it was paired in-process; null when the track names none. */
  referencePaired: boolean | null;
  valid: boolean;
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
  /** Protocol v2: each trial's samples apart (the reference's beside them), what the record's statistics came from. */
  trials?: TrialSamples[];
}
