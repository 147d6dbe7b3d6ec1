import type { TrialEnvironment } from './environment.js';

/**
 * One independent trial of the latency pass (protocol v2, docs/protocol.md): a fresh inference process with a
 * fresh session, its own warm-up and its own timed runs until the track's per-trial minimum count and duration.
 * With a reference model (`protocol.reference`), the same process times the reference too, in alternating
 * blocks, so that both share whatever speed the process runs at.
 */
export interface TrialSamples {
  /** The submission's timed runs in this trial, ms, in the order run. */
  latencyMs: number[];
  warmupMs: number[];
  /** The reference model's timed runs in the same process (absent without a reference). */
  referenceLatencyMs?: number[];
  /** The block order run, one letter a block: S the submission, R the reference (e.g. "SRRSSRRS"); absent without a reference. */
  blockOrder?: string;
  /** Wall time of the timed phase, ms (both models' blocks when paired). */
  timedMs: number;
  /** maxRuns ended the trial before minRuns and minDurationMs were both met. */
  capped: boolean;
  /** What the environment guards saw (absent where the target reads nothing). */
  environment?: TrialEnvironment;
  /** Earlier attempts of this trial that the guards refused, each with what they saw. */
  refused?: TrialEnvironment[];
}

/**
 * The Offline scenario (`protocol.scenario: "offline"`, desktop target): the pool's inputs streamed one after
 * another as fast as the session runs them, for at least the trial's minimum duration; throughput is images
 * over the wall time of the stream.
 */
export interface OfflineTrial {
  images: number;
  wallMs: number;
}

/** What of protocol v2 the target could apply (docs/protocol.md, "Validity"); the record's `validity` says the rest. */
export interface ProtocolApplied {
  /** Each trial ran in a fresh process with a fresh session (false: batch targets and hosted farms run once). */
  freshProcessTrials: boolean;
  /** The reference ran in the same process as the submission, interleaved (false: the target cannot pair). */
  referencePaired: boolean;
  /** The environment guards were read and applied. */
  guards: boolean;
  scenario: 'single-stream' | 'offline';
}
