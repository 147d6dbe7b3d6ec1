import { latencyStats } from '../../scoring/latency-stats.js';
import { computeScore } from '../../scoring/formulas/registry.js';
import type { Measures } from '../../scoring/formulas/types.js';
import type { AppliedProtocol, Measurement, WallClock } from '../measurement.js';
import type { EnergyRecord, ResultRecord, TargetInfo } from '../result-record.js';
import type { Track } from '../tracks/track.js';
import { scoreInterval } from './score-interval.js';
import { scoreStatistic } from './score-statistic.js';
import { protocolV2Parts, recordLatency } from './trial-record.js';

export interface RecordInputs {
  track: Track;
  split: string;
  model: ResultRecord['model'];
  target: TargetInfo;
  accuracy: Record<string, number>;
  latencyMs: readonly number[];
  preprocessMs: readonly number[];
  protocol: AppliedProtocol;
  accuracyImages: number;
  energy: EnergyRecord | null;
  energyNote?: string;
  /** A batch target's wall clock around the whole run (Measurement.wall), when it has one. */
  wall?: WallClock;
  /** Robustness splits scored (score-robustness.ts); formulas see its robustAccuracy as `robust_accuracy`. */
  robustness?: ResultRecord['robustness'];
  /** Protocol v2's parts of the measurement: trials, the paired reference, offline streams, what applied, the profile. */
  v2?: Pick<Measurement, 'trials' | 'reference' | 'offline' | 'applied' | 'profile'>;
  startedAt: string;
  finishedAt: string;
}

/**
 * The result record from raw measurements: statistics and the track's formula are computed here, from
 * the raw samples, by the same code locally and on the server (and again on a re-score).
 */
export function buildResultRecord(r: RecordInputs): ResultRecord {
  const latency = recordLatency(r.latencyMs, r.v2?.trials);
  const v2 = protocolV2Parts(r.track, r.protocol, r.latencyMs, latency, r.v2 ?? {}, r.wall);
  const measured = r.robustness?.robustAccuracy != null ? { ...r, accuracy: { ...r.accuracy, robust_accuracy: r.robustness.robustAccuracy } } : r;
  const measures = { ...measuresOf(measured, latency), calibratedLatencyMs: v2.calibratedLatency?.value ?? null };
  // The Offline scenario's throughput is what images / duration means to a formula (fps).
  const scored = v2.throughput ? { ...measures, images: 1, durationSeconds: 1 / v2.throughput.value } : measures;
  const score = computeScore(r.track.score.formula, r.track.score.version, scored, r.track.score.params);
  const statistic = score.statistic === undefined ? null : scoreStatistic(score.statistic, latency, v2.calibratedLatency);
  const ci95 = score.value === null ? null : scoreInterval(r.track.score.formula, r.track.score.version, scored, r.track.score.params, statistic);
  return {
    track: r.track.name,
    split: r.split,
    model: r.model,
    target: r.target,
    accuracy: r.accuracy,
    latency,
    preprocess: r.preprocessMs.length > 0 ? latencyStats(r.preprocessMs) : null,
    energy: r.energy,
    ...(r.wall ? { wall: r.wall } : {}),
    ...(r.energy === null && r.energyNote ? { energyNote: r.energyNote } : {}),
    score: {
      formula: score.formula,
      version: score.version,
      value: score.value,
      qualified: score.qualified,
      ...(score.reason ? { reason: score.reason } : {}),
      statistic,
      ...(ci95 ? { ci95 } : {}),
    },
    protocol: {
      warmupRuns: r.protocol.warmupRuns,
      minRuns: r.protocol.minRuns,
      minDurationMs: r.protocol.minDurationMs,
      timedRuns: r.latencyMs.length,
      accuracyImages: r.accuracyImages,
      ...(r.v2?.trials ? { trials: r.v2.trials.length } : {}),
    },
    ...(r.robustness ? { robustness: r.robustness } : {}),
    ...v2,
    startedAt: r.startedAt,
    finishedAt: r.finishedAt,
  };
}

/**
 * What the formulas get from a run (units in the names of Measures' fields): the wall clock's duration and
 * image count only from a batch target's wall clock (so that images / duration is a real throughput), else
 * null; the energy with the window it was integrated over and the record's idle figure. fps is left to
 * the formulas to derive (images / duration, else 1 / mean latency).
 */
export function measuresOf(r: Pick<RecordInputs, 'accuracy' | 'energy' | 'wall'>, latency: Measures['latency']): Measures {
  return {
    accuracy: r.accuracy,
    latency,
    energyJoules: r.energy?.joules ?? null,
    durationSeconds: r.wall ? r.wall.durationMs / 1000 : null,
    images: r.wall?.images ?? null,
    energyWindowSeconds: r.energy?.windowSeconds ?? null,
    idle: r.energy?.idle ?? null,
  };
}
