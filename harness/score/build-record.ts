import { latencyStats } from '../../scoring/latency-stats.js';
import { computeScore } from '../../scoring/formulas/registry.js';
import type { AppliedProtocol } from '../measure/measurement.js';
import type { EnergyRecord, ResultRecord, TargetInfo } from '../result-record.js';
import type { Track } from '../tracks/track.js';

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
  startedAt: string;
  finishedAt: string;
}

/**
 * The result record from raw measurements: statistics and the track's formula are computed here, from
 * the raw samples, by the same code locally and on the server (and again on a re-score).
 */
export function buildResultRecord(r: RecordInputs): ResultRecord {
  const latency = latencyStats(r.latencyMs);
  const score = computeScore(
    r.track.score.formula,
    r.track.score.version,
    { accuracy: r.accuracy, latency, energyJoules: r.energy?.joules ?? null },
    r.track.score.params,
  );
  return {
    track: r.track.name,
    split: r.split,
    model: r.model,
    target: r.target,
    accuracy: r.accuracy,
    latency,
    preprocess: r.preprocessMs.length > 0 ? latencyStats(r.preprocessMs) : null,
    energy: r.energy,
    ...(r.energy === null && r.energyNote ? { energyNote: r.energyNote } : {}),
    score: { formula: score.formula, version: score.version, value: score.value, qualified: score.qualified, ...(score.reason ? { reason: score.reason } : {}) },
    protocol: {
      warmupRuns: r.protocol.warmupRuns,
      minRuns: r.protocol.minRuns,
      minDurationMs: r.protocol.minDurationMs,
      timedRuns: r.latencyMs.length,
      accuracyImages: r.accuracyImages,
    },
    startedAt: r.startedAt,
    finishedAt: r.finishedAt,
  };
}
