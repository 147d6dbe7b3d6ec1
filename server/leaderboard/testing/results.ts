/**
 * For the leaderboard tests (not used by the server): result records of the one record's real shape with
 * chosen numbers, and a stand-in device that leases every queued job and completes (or fails) it with them.
 * The numbers are test data: the ranking, visibility and rendering under test never compute them.
 */
import type { ResultRecord, Validity } from '../../../harness/result-record.js';
import { medianCi95Ranks, type LatencyStats } from '../../../scoring/latency-stats.js';
import { withWriteTransaction, type Db } from '../../db/index.js';
import { completeJob, failJob, leaseJob } from '../../queue/index.js';
import { insertResult } from '../../scoring/results-table.js';

export interface ChosenResult {
  readonly top1: number;
  /** Median latency per image, ms; the 95% interval is +-2%. */
  readonly p50: number;
  readonly score: number | null;
  readonly qualified?: boolean;
  readonly joules?: number;
  /** Protocol v2: the result's trials, and the score names the mean it used. Without it, a record stored before both. */
  readonly trials?: ChosenTrials;
}

/** A result measured in trials (protocol v2), its score by the mean (accuracy-per-time's default). */
export interface ChosenTrials {
  /** How many trials; their intervals then cover medianCi95Ranks(count).coverage (5: 1 - 2^-4 = 0.9375). */
  readonly count: number;
  /** The median's between-trial interval, ms (the record's latency.ci95). */
  readonly p50Ci95: [number, number];
  /** The median of the trial means, ms, and its between-trial interval: the score's statistic. */
  readonly mean: number;
  readonly meanCi95: [number, number];
  /** relativeLatency against a reference, when the track names one. */
  readonly relative?: { readonly value: number; readonly ci95: [number, number]; readonly reference: string };
  /** The validity flags that failed (the others held). */
  readonly failed?: readonly Exclude<keyof Validity, 'valid' | 'cappedByMaxRuns'>[];
}

export function resultRecord(track: string, split: string, c: ChosenResult): ResultRecord {
  const latency = {
    unit: 'ms' as const,
    count: 1000,
    mean: c.p50,
    std: c.p50 / 50,
    min: c.p50 * 0.9,
    max: c.p50 * 1.5,
    p50: c.p50,
    p90: c.p50 * 1.1,
    p95: c.p50 * 1.15,
    p99: c.p50 * 1.3,
    ci95: [c.p50 * 0.98, c.p50 * 1.02] as [number, number],
  };
  const record: ResultRecord = {
    track,
    split,
    model: { path: 'model.onnx', sha256: '0'.repeat(64), bytes: 100, format: 'onnx' },
    target: { kind: 'desktop', device: 'test-host', runtime: 'onnxruntime-node test', threads: 1, os: 'linux', cpu: 'test cpu' },
    accuracy: { top1: c.top1, top5: Math.min(1, c.top1 + 0.05) },
    latency,
    preprocess: null,
    energy: c.joules === undefined ? null : { joules: c.joules, avgWatts: c.joules / 10, source: 'test meter', sampleCount: 100 },
    ...(c.joules === undefined ? { energyNote: 'no power sensor on this target' } : {}),
    score: {
      formula: 'accuracy-per-time',
      version: 1,
      value: c.score,
      qualified: c.qualified ?? c.score !== null,
      ...(c.score === null ? { reason: 'no score' } : {}),
    },
    protocol: { warmupRuns: 20, minRuns: 300, minDurationMs: 2000, timedRuns: 1000, accuracyImages: 8000 },
    startedAt: '2027-01-15T08:00:00.000Z',
    finishedAt: '2027-01-15T08:00:09.000Z',
  };
  return c.trials === undefined ? record : withTrials(record, c.trials);
}

/** The record as protocol v2 would have made it: per-trial statistics, between-trial intervals, validity, the score's statistic. */
function withTrials(record: ResultRecord, t: ChosenTrials): ResultRecord {
  const l = record.latency;
  const coverage = medianCi95Ranks(t.count).coverage;
  const between = (value: number, ci95: [number, number]) => ({ value, ci95, coverage, count: t.count });
  const perTrial: LatencyStats = { ...l, count: l.count / t.count, mean: t.mean };
  const failed = new Set<string>(t.failed ?? []);
  const held = (k: string): boolean => !failed.has(k);
  return {
    ...record,
    latency: {
      ...l,
      mean: t.mean,
      ci95: t.p50Ci95,
      trials: Array.from({ length: t.count }, () => ({ ...perTrial })),
      betweenTrials: { mean: between(t.mean, t.meanCi95), p50: between(l.p50, t.p50Ci95), p90: between(l.p90, [l.p90 * 0.95, l.p90 * 1.05]) },
      p90EarlyStopping: l.p90 * 1.1,
    },
    score: { ...record.score, statistic: { name: 'mean', value: t.mean, ci95: t.meanCi95, coverage } },
    protocol: { ...record.protocol, trials: t.count },
    ...(t.relative
      ? { relativeLatency: { ...between(t.relative.value, t.relative.ci95), reference: t.relative.reference, perTrial: [t.relative.value] } }
      : {}),
    validity: {
      minRunsMet: held('minRunsMet'),
      minDurationMet: held('minDurationMet'),
      cappedByMaxRuns: false,
      earlyStoppingMet: held('earlyStoppingMet'),
      environmentPassed: held('environmentPassed'),
      freshProcessTrials: held('freshProcessTrials'),
      referencePaired: held('referencePaired'),
      valid: failed.size === 0,
    },
  };
}

/**
 * Completes a leased job with a chosen record, as the completion route stores one (the job done and its
 * `results` row in one transaction), but without a raw measurement: such a result shows everywhere and
 * cannot be re-scored. Answers whether the lease still held.
 */
export async function completeWithRecord(db: Db, lease: { readonly jobId: number; readonly token: string }, record: unknown, now: number): Promise<boolean> {
  return withWriteTransaction(db, async (tx) => {
    const changed = await completeJob(tx, lease, now);
    if (!changed.ok) return false;
    await insertResult(tx, { jobId: lease.jobId, submissionId: changed.job.submissionId, recordJson: JSON.stringify(record), rawJson: null }, now);
    return true;
  });
}

/**
 * Leases every queued job and completes it with the record chosen for its submission, or fails it (the
 * submission's fault) when the choice is 'fail'; a job without a choice is left leased. Answers how many
 * jobs were finished.
 */
export async function finishQueuedJobs(db: Db, chosen: ReadonlyMap<string, ResultRecord | 'fail'>, now: number): Promise<number> {
  let finished = 0;
  for (;;) {
    const leased = await leaseJob(db, { agentId: 'test-device', targetKinds: ['desktop'], leaseMs: 60_000 }, now);
    if (leased === null) return finished;
    const choice = chosen.get(leased.job.submissionId);
    if (choice === undefined) continue;
    if (choice === 'fail') {
      await failJob(db, { jobId: leased.job.id, token: leased.token, fault: 'submission', code: 'LPCV_E_MODEL_OUTPUT_NAN', message: 'NaN on image 3' }, now);
    } else {
      await completeWithRecord(db, { jobId: leased.job.id, token: leased.token }, choice, now);
    }
    finished++;
  }
}
