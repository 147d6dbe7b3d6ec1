/**
 * For the leaderboard tests (not used by the server): result records of the one record's real shape with
 * chosen numbers, and a stand-in device that leases every queued job and completes (or fails) it with them.
 * The numbers are test data: the ranking, visibility and rendering under test never compute them.
 */
import type { ResultRecord } from '../../../harness/result-record.js';
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
  return {
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
