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
