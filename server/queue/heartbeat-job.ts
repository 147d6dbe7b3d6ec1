import type { Db } from '../db/index.js';
import { LEASE_LOST, type JobProgress, type LeaseLost } from './job.js';

export interface HeartbeatArgs {
  readonly jobId: number;
  readonly token: string;
  /** The lease now lasts until now + leaseMs. */
  readonly leaseMs: number;
  /** What the device reports of the run so far (shown on the status page); kept as it was when omitted. */
  readonly progress?: JobProgress;
}

export type HeartbeatResult = { readonly ok: true; readonly leaseExpiresAt: number } | LeaseLost;

/**
 * Extends a lease the caller still holds: one UPDATE guarded by the token and `state = 'leased'`. Zero rows
 * means the lease is gone (reclaimed, finished, or a wrong token): the agent must stop working on the job.
 * A lease that has expired but not yet been reclaimed still holds: nobody else has the job.
 * Not a state change, so no job_events row (an agent heartbeats every few seconds).
 */
export async function heartbeatJob(db: Db, args: HeartbeatArgs, now: number): Promise<HeartbeatResult> {
  if (!(Number.isInteger(args.leaseMs) && args.leaseMs > 0)) throw new Error(`heartbeatJob: leaseMs must be a whole number > 0, got ${args.leaseMs}`);
  const leaseExpiresAt = now + args.leaseMs;
  const updated = await db('jobs')
    .where({ id: args.jobId, lease_token: args.token, state: 'leased' })
    .update({ lease_expires_at: leaseExpiresAt, heartbeat_at: now, ...(args.progress !== undefined ? { progress_json: JSON.stringify(args.progress) } : {}) });
  return updated === 1 ? { ok: true, leaseExpiresAt } : LEASE_LOST;
}
