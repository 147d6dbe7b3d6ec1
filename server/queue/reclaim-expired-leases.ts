import type { ErrorCode } from '../../errors/codes.js';
import { withWriteTransaction, type Db } from '../db/index.js';
import { recordJobEvents } from './job-events.js';
import { toJob, type Job, type JobRow } from './job.js';

export const LEASE_EXPIRED_CODE: ErrorCode = 'LPCV_E_LEASE_EXPIRED';

/**
 * The reaper: every leased job whose lease_expires_at < now goes back to queued (due at once), or to dead
 * when it has used all its attempts, in one UPDATE; then one job_events row each, in the same transaction.
 * The failure is the infrastructure's (the agent vanished or stopped heartbeating), recorded as
 * LPCV_E_LEASE_EXPIRED. Its old token no longer matches anything, so a late heartbeat or completion from
 * the vanished agent is lease-lost. Run it every few seconds; it is cheap when nothing expired (partial
 * index on lease_expires_at), and concurrent reapers are harmless (each row moves once).
 */
export async function reclaimExpiredLeases(db: Db, now: number): Promise<Job[]> {
  return withWriteTransaction(db, async (tx) => {
    const exhausted = 'attempts >= max_attempts';
    const rows = (await tx('jobs')
      .where('state', 'leased')
      .andWhere('lease_expires_at', '<', now)
      .update({
        state: tx.raw(`CASE WHEN ${exhausted} THEN 'dead' ELSE 'queued' END`),
        finished_at: tx.raw(`CASE WHEN ${exhausted} THEN CAST(? AS BIGINT) ELSE NULL END`, [now]),
        lease_token: null,
        run_after: now,
        updated_at: now,
        last_error_code: LEASE_EXPIRED_CODE,
        last_error_message: 'the lease expired: the agent stopped heartbeating',
        error_fault: 'infrastructure',
      })
      .returning('*')) as JobRow[];
    rows.sort((a, b) => a.id - b.id);
    await recordJobEvents(
      tx,
      rows.map((r) => ({
        jobId: r.id,
        fromState: 'leased' as const,
        toState: r.state,
        actor: 'reaper',
        detail: { attempt: r.attempts, leasedBy: r.leased_by, leaseExpiresAt: r.lease_expires_at },
      })),
      now,
    );
    return rows.map(toJob);
  });
}
