/**
 * Organizers' re-runs (docs/queue.md, "Re-runs"): one submission, every dead job, or every entry of a track
 * (after a device fix). Each is one transaction: the queue re-queues the finished jobs (requeueJobs), their
 * old results are deleted, and one admin_audit entry says who did what and why. A re-run adds no
 * submission row, so it costs no team any quota (server/quota counts submissions).
 */
import { LpcvError } from '../../errors/lpcv-error.js';
import { deleteJobLogs } from '../submissions/job-logs.js';
import { deleteResultsOfJobs } from '../scoring/results-table.js';
import { withWriteTransaction, type Db } from '../db/index.js';
import { listJobs, requeueJobs, type RequeueBy, type SkippedJob } from '../queue/index.js';
import { recordAdminAudit, type AdminAction } from './admin-audit.js';

export interface RerunReport {
  /** The job ids queued again. */
  readonly requeued: readonly number[];
  /** Jobs left alone: still queued or leased (they run anyway), or unknown. */
  readonly skipped: readonly SkippedJob[];
  readonly auditId: number;
}

/** Ids per statement: far below SQLite's and PostgreSQL's limits on bound parameters. */
const IDS_PER_QUERY = 1000;
/** Dead jobs are read in pages of this many. */
const DEAD_PAGE = 500;

interface SubmissionJobs {
  job_id: number;
  public_job_id: number | null;
}

const jobIdsOf = (rows: readonly SubmissionJobs[]): number[] => rows.flatMap((r) => (r.public_job_id === null ? [r.job_id] : [r.job_id, r.public_job_id]));

/** A submission's job(s): its hidden-split job and, on a track with a public leaderboard split, its public one. */
export function rerunSubmission(db: Db, submissionId: string, by: RequeueBy, now: number): Promise<RerunReport> {
  return rerun(db, 'rerun-submission', { submission: submissionId }, by, now, async (tx) => {
    const row = (await tx('submissions').where('id', submissionId).first('job_id', 'public_job_id')) as SubmissionJobs | undefined;
    if (row === undefined) throw new LpcvError('LPCV_E_SUBMISSION_UNKNOWN', `there is no submission ${JSON.stringify(submissionId)}`);
    return jobIdsOf([row]);
  });
}

/**
 * Every dead job (of one track, when given). Reference runs (jobs pinned to a device, docs/devices.md) are
 * left out: the device sweep schedules a fresh one anyway, and a dead one says something about the device.
 */
export function rerunDeadJobs(db: Db, options: { readonly track?: string }, by: RequeueBy, now: number): Promise<RerunReport> {
  const detail = options.track === undefined ? {} : { track: options.track };
  return rerun(db, 'rerun-dead', detail, by, now, async (tx) => {
    const ids: number[] = [];
    for (let afterId = 0; ;) {
      const page = await listJobs(tx, { afterId, limit: DEAD_PAGE, state: 'dead', ...detail });
      if (page.length === 0) return ids;
      ids.push(...page.filter((j) => j.pinnedDeviceId === null).map((j) => j.id));
      afterId = page[page.length - 1]!.id;
    }
  });
}

/** Every entry of a track: each submission's job(s), baselines only when asked. */
export function rerunTrack(db: Db, track: string, options: { readonly includeBaselines: boolean }, by: RequeueBy, now: number): Promise<RerunReport> {
  return rerun(db, 'rerun-track', { track, includeBaselines: options.includeBaselines }, by, now, async (tx) => {
    const query = tx('submissions').where('track', track).orderBy('created_at').select('job_id', 'public_job_id');
    if (!options.includeBaselines) query.whereNull('baseline_name');
    return jobIdsOf((await query) as SubmissionJobs[]);
  });
}

async function rerun(
  db: Db,
  action: AdminAction,
  detail: Record<string, unknown>,
  by: RequeueBy,
  now: number,
  pickJobs: (tx: Db) => Promise<number[]>,
): Promise<RerunReport> {
  return withWriteTransaction(db, async (tx) => {
    const result = await requeueJobs(tx, await pickJobs(tx), by, now);
    const requeued = result.requeued.map((j) => j.id);
    // A done job's result goes with it: a job is done exactly when its result exists (docs/queue.md). The
    // re-run's completion writes a new one; until then the entry is off the leaderboard. Its output tails
    // go too: the re-run counts attempts from 1 again, and job_logs has one row per job, attempt and stream
    // (server/submissions/job-logs.ts), so the old rows would refuse the new run's report.
    for (let i = 0; i < requeued.length; i += IDS_PER_QUERY) {
      const chunk = requeued.slice(i, i + IDS_PER_QUERY);
      await deleteResultsOfJobs(tx, chunk);
      await deleteJobLogs(tx, chunk);
    }
    const auditId = await recordAdminAudit(tx, {
      at: now,
      actor: by.actor,
      action,
      detail: { ...detail, reason: by.reason, requeued, skipped: result.skipped },
    });
    return { requeued, skipped: result.skipped, auditId };
  });
}
