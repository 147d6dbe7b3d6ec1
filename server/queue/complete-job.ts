import { withWriteTransaction, type Db } from '../db/index.js';
import { recordJobEvents } from './job-events.js';
import { LEASE_LOST, toJob, type Job, type JobRow, type LeaseLost } from './job.js';

export interface CompleteArgs {
  readonly jobId: number;
  readonly token: string;
}

export type JobChange = { readonly ok: true; readonly job: Job } | LeaseLost;

/**
 * leased -> done, guarded by the lease token. A second completion, or one with a stale token, is lease-lost.
 * The run's record is not the job's: the caller stores it (`results`, server/scoring) in the same
 * transaction, so that a job is done exactly when its result exists (server/http/agent-complete.ts).
 */
export async function completeJob(db: Db, args: CompleteArgs, now: number): Promise<JobChange> {
  if (db.dialect === 'postgres') {
    // One statement, atomic by itself (no savepoint inside the caller's transaction): the guarded UPDATE and,
    // in a data-modifying CTE, its job_events row (detail: JSON.stringify's text for { attempt }).
    const result = (await db.raw(
      `WITH done AS (
        UPDATE jobs SET state = 'done', lease_token = NULL, finished_at = ?, updated_at = ?
        WHERE id = ? AND lease_token = ? AND state = 'leased' RETURNING *
      ),
      event AS (
        INSERT INTO job_events (job_id, at, from_state, to_state, actor, detail)
        SELECT id, ?, 'leased', 'done', COALESCE(leased_by, 'unknown'), '{"attempt":' || attempts || '}' FROM done
      )
      SELECT * FROM done`,
      [now, now, args.jobId, args.token, now],
    )) as { rows: JobRow[] };
    const [row] = result.rows;
    return row === undefined ? LEASE_LOST : { ok: true, job: toJob(row) };
  }
  return withWriteTransaction(db, async (tx) => {
    const [row] = (await tx('jobs')
      .where({ id: args.jobId, lease_token: args.token, state: 'leased' })
      .update({ state: 'done', lease_token: null, finished_at: now, updated_at: now })
      .returning('*')) as JobRow[];
    if (row === undefined) return LEASE_LOST;
    await recordJobEvents(
      tx,
      [{ jobId: row.id, fromState: 'leased', toState: 'done', actor: row.leased_by ?? 'unknown', detail: { attempt: row.attempts } }],
      now,
    );
    return { ok: true, job: toJob(row) };
  });
}
