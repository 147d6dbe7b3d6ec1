import { earlyStoppingPercentile } from '../../scoring/early-stopping.js';
import { latencyStats, type LatencyStats } from '../../scoring/latency-stats.js';
import { acrossTrials, relativeLatency as pairedRatio } from '../../scoring/trial-summary.js';
import type { AppliedProtocol, Measurement, WallClock } from '../measurement.js';
import type { RecordLatency, ResultRecord, Validity } from '../result-record.js';
import type { TrialSamples } from '../trials.js';
import type { Track } from '../tracks/track.js';

/**
 * Protocol v2's statistics of a record (docs/protocol.md, "Trials" and "Validity"), from the raw samples: the
 * same code on the device's side, on the server and in a re-score.
 */

/**
 * The record's latency. With trials, each statistic is the median over the trials of that trial's statistic (p50:
 * the median of the trial medians) and ci95 the distribution-free between-trial interval of the p50: samples
 * inside one process share its speed, trials do not. count, std, min and max stay the pooled samples'. Without
 * trials (records from before v2, targets that run once) the pooled samples' statistics, as before.
 * LoadGen's early-stopping p90 is over every timed run either way.
 */
export function recordLatency(latencyMs: readonly number[], trials: readonly TrialSamples[] | undefined): RecordLatency {
  const pooled = latencyStats(latencyMs);
  const p90EarlyStopping = earlyStoppingPercentile(latencyMs).estimate;
  if (trials === undefined || trials.length === 0) return { ...pooled, p90EarlyStopping };
  const per = trials.map((t) => latencyStats(t.latencyMs));
  const across = (pick: (s: LatencyStats) => number) => acrossTrials(per.map(pick));
  const betweenTrials = { mean: across((s) => s.mean), p50: across((s) => s.p50), p90: across((s) => s.p90) };
  return {
    ...pooled,
    mean: betweenTrials.mean.value,
    p50: betweenTrials.p50.value,
    p90: betweenTrials.p90.value,
    p95: across((s) => s.p95).value,
    p99: across((s) => s.p99).value,
    ci95: betweenTrials.p50.ci95,
    trials: per,
    betweenTrials,
    p90EarlyStopping,
  };
}

type V2Parts = Pick<ResultRecord, 'relativeLatency' | 'calibratedLatency' | 'throughput' | 'validity' | 'environment' | 'profile'>;

/** relativeLatency, calibratedLatency, throughput, validity, environment and profile, as far as the run has them. */
export function protocolV2Parts(
  track: Track,
  protocol: AppliedProtocol,
  latencyMs: readonly number[],
  latency: RecordLatency,
  m: Pick<Measurement, 'trials' | 'reference' | 'offline' | 'applied' | 'profile'>,
  wall: WallClock | undefined,
): V2Parts {
  const out: V2Parts = {};
  const trials = m.trials ?? [];
  const paired = trials.filter((t) => t.referenceLatencyMs !== undefined && t.referenceLatencyMs.length > 0);
  if (m.reference && paired.length === trials.length && paired.length > 0) {
    const ratio = pairedRatio(paired.map((t) => ({ submissionMs: t.latencyMs, referenceMs: t.referenceLatencyMs! })));
    out.relativeLatency = {
      value: ratio.value,
      ci95: ratio.ci95,
      coverage: ratio.coverage,
      count: ratio.count,
      reference: m.reference.name,
      perTrial: ratio.perTrial,
    };
    const fixed = track.protocol.referenceLatencyMs;
    if (fixed !== undefined) {
      out.calibratedLatency = {
        value: ratio.value * fixed,
        ci95: [ratio.ci95[0] * fixed, ratio.ci95[1] * fixed],
        coverage: ratio.coverage,
        count: ratio.count,
        referenceLatencyMs: fixed,
      };
    }
  }
  if (m.offline && m.offline.length > 0) out.throughput = acrossTrials(m.offline.map((o) => o.images / (o.wallMs / 1000)));
  if (trials.length > 0 && trials.some((t) => t.environment !== undefined)) {
    out.environment = { trials: trials.map((t) => t.environment ?? null), refusedAttempts: trials.reduce((n, t) => n + (t.refused?.length ?? 0), 0) };
  }
  if (m.profile) out.profile = m.profile;
  if (trials.length > 0 || m.applied) out.validity = validity(track, protocol, latencyMs, latency, trials, m, wall);
  return out;
}

/**
 * Which parts of the protocol held. A target that runs once (no trials) counts as one trial timed by its wall
 * clock. `valid` is every applicable flag: the minimums met, LoadGen's early stopping satisfied, the guards
 * passed (where read), fresh-process trials, and the reference paired when the track names one.
 */
function validity(
  track: Track,
  protocol: AppliedProtocol,
  latencyMs: readonly number[],
  latency: RecordLatency,
  trials: readonly TrialSamples[],
  m: Pick<Measurement, 'reference' | 'applied'>,
  wall: WallClock | undefined,
): Validity {
  const runs =
    trials.length > 0
      ? trials.map((t) => ({ count: t.latencyMs.length, timedMs: t.timedMs, capped: t.capped }))
      : [{ count: latencyMs.length, timedMs: wall?.durationMs ?? sum(latencyMs), capped: false }];
  const minRunsMet = runs.every((r) => r.count >= protocol.minRuns);
  const minDurationMet = runs.every((r) => r.timedMs >= protocol.minDurationMs);
  const earlyStoppingMet = latency.p90EarlyStopping !== null && latency.p90EarlyStopping !== undefined;
  const read = trials.filter((t) => t.environment !== undefined);
  const environmentPassed = read.length === 0 ? null : trials.every((t) => t.environment?.verdict.ok === true);
  const freshProcessTrials = trials.length > 0 && (m.applied?.freshProcessTrials ?? false);
  const referencePaired = track.protocol.reference === undefined ? null : m.reference !== undefined && (m.applied?.referencePaired ?? false);
  return {
    minRunsMet,
    minDurationMet,
    cappedByMaxRuns: runs.some((r) => r.capped),
    earlyStoppingMet,
    environmentPassed,
    freshProcessTrials,
    referencePaired,
    valid: minRunsMet && minDurationMet && earlyStoppingMet && environmentPassed !== false && freshProcessTrials && referencePaired !== false,
  };
}

function sum(xs: readonly number[]): number {
  let s = 0;
  for (const x of xs) s += x;
  return s;
}
