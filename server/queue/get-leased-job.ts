import type { Db } from '../db/index.js';
import { toJob, type Job, type JobRow } from './job.js';

/**
 * The job while this token holds its lease, else undefined (a wrong or stale token, a finished or reclaimed
 * job, no such job). A read, for a cheap check before expensive work: the guarded write that follows
 * (completeJob, failJob, heartbeatJob) still decides.
 */
export async function getLeasedJob(db: Db, jobId: number, token: string): Promise<Job | undefined> {
  const row = (await db('jobs').where({ id: jobId, lease_token: token, state: 'leased' }).first()) as JobRow | undefined;
  return row === undefined ? undefined : toJob(row);
}
