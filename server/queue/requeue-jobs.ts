import { lockRows, withWriteTransaction, type Db } from '../db/index.js';
import { recordJobEvents } from './job-events.js';
import { toJob, type Job, type JobRow, type JobState } from './job.js';

/** Who re-queues, and why: both go into each job's job_events row (and the organizers' admin_audit). */
export interface RequeueBy {
  /** 'admin (api)', 'admin (web)', 'cli'. */
  readonly actor: string;
  readonly reason: string;
}

/** A job left as it was: still queued or leased (it will run anyway), or no job of that id. */
export interface SkippedJob {
  readonly jobId: number;
  readonly state: 'queued' | 'leased' | 'unknown';
}

export interface RequeueResult {
  /** The jobs now queued again, by id; their previous states are in their job_events rows. */
  readonly requeued: readonly Job[];
  readonly skipped: readonly SkippedJob[];
}

const FINISHED: readonly JobState[] = ['done', 'failed', 'dead'];

/** Ids per statement: far below SQLite's and PostgreSQL's limits on bound parameters. */
const IDS_PER_QUERY = 1000;

/**
 * An organizer's re-run: each finished job (done, failed, dead) goes back to queued, due now, with fresh
 * attempts (0) and no lease, error or progress left, as if just enqueued but keeping its id, its
 * created_at (so it goes before its team's newer jobs) and its priority. One job_events row each, with the
 * actor and the reason. A queued or leased job is left alone (it is going to run anyway; taking a lease
 * away would make its agent's completion lease-lost for nothing).
 *
 * A done job's result must go in the same transaction, so that a job is done exactly when its result
 * exists: the caller deletes it, like completeJob's caller writes it (server/admin/rerun-jobs.ts). The rows
 * are locked before they are read (PostgreSQL), so a job cannot finish between the read and the update.
 */
export async function requeueJobs(db: Db, jobIds: readonly number[], by: RequeueBy, now: number): Promise<RequeueResult> {
  const ids = [...new Set(jobIds)].sort((a, b) => a - b);
  return withWriteTransaction(db, async (tx) => {
    const requeued: Job[] = [];
    const skipped: SkippedJob[] = [];
    for (let i = 0; i < ids.length; i += IDS_PER_QUERY) {
      const chunk = ids.slice(i, i + IDS_PER_QUERY);
      const current = (await lockRows(tx('jobs').select('id', 'state', 'attempts', 'last_error_code').whereIn('id', chunk), tx.dialect, 'wait')) as Array<
        Pick<JobRow, 'id' | 'state' | 'attempts' | 'last_error_code'>
      >;
      const byId = new Map(current.map((r) => [r.id, r]));
      for (const id of chunk) {
        const state = byId.get(id)?.state;
        if (state === undefined) skipped.push({ jobId: id, state: 'unknown' });
        else if (state === 'queued' || state === 'leased') skipped.push({ jobId: id, state });
      }
      const finished = current.filter((r) => FINISHED.includes(r.state));
      if (finished.length === 0) continue;
      const rows = (await tx('jobs')
        .whereIn(
          'id',
          finished.map((r) => r.id),
        )
        .whereIn('state', FINISHED)
        .update({
          state: 'queued',
          attempts: 0,
          run_after: now,
          lease_token: null,
          leased_by: null,
          lease_expires_at: null,
          heartbeat_at: null,
          finished_at: null,
          last_error_code: null,
          last_error_message: null,
          error_fault: null,
          progress_json: null,
          updated_at: now,
        })
        .returning('*')) as JobRow[];
      rows.sort((a, b) => a.id - b.id);
      await recordJobEvents(
        tx,
        rows.map((r) => {
          const before = byId.get(r.id)!;
          return {
            jobId: r.id,
            fromState: before.state,
            toState: 'queued' as const,
            actor: by.actor,
            detail: { rerun: true, reason: by.reason, previousAttempts: before.attempts, previousErrorCode: before.last_error_code },
          };
        }),
        now,
      );
      requeued.push(...rows.map(toJob));
    }
    return { requeued, skipped };
  });
}
