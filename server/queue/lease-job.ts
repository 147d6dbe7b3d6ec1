import { randomBytes } from 'node:crypto';
import { lockRows, withWriteTransaction, type Db } from '../db/index.js';
import { recordJobEvents } from './job-events.js';
import { toJob, type Job, type JobRow } from './job.js';

export interface LeaseArgs {
  /** Recorded as leased_by and in job_events. */
  readonly agentId: string;
  /** The target kinds this agent can run; at least one. */
  readonly targetKinds: readonly string[];
  /** The lease lasts this long unless a heartbeat extends it. */
  readonly leaseMs: number;
  /**
   * The leasing device (devices.id): jobs pinned to it (`pinned_device_id`, a reference run) are candidates
   * too. Without it, pinned jobs are never leased.
   */
  readonly deviceId?: number;
  /**
   * The artifact formats the leaser runs (onnx, tflite, zip): only jobs whose `artifact_format` is one of
   * them are candidates. Omitted: any format (a device that did not say).
   */
  readonly formats?: readonly string[];
}

export interface LeasedJob {
  readonly job: Job;
  /** Proof of the lease: every later call for this job (heartbeat, complete, fail) must present it. */
  readonly token: string;
}

/**
 * Takes the next job for an agent, or null when none is due. One guarded UPDATE picks and marks the job,
 * counting the attempt at lease time (an agent that dies mid-run has still used one); then, in the same
 * transaction, the job_events row and the team's turn.
 *
 * Order: priority (higher first), then the team whose latest lease is oldest (teams never leased first),
 * then that team's oldest job (created_at, id). Round-robin by team, so a team with 50 queued jobs cannot
 * starve a team with one (docs/queue.md). A job pinned to a device (a reference run) goes to that device only.
 *
 * Exactly once: PostgreSQL locks the picked row with FOR UPDATE SKIP LOCKED (a concurrent leaser skips it,
 * and a row leased meanwhile fails the re-check of `state = 'queued'`); SQLite runs the whole transaction
 * holding the database's only write lock.
 */
export async function leaseJob(db: Db, args: LeaseArgs, now: number): Promise<LeasedJob | null> {
  if (args.targetKinds.length === 0) throw new Error('leaseJob: targetKinds must name at least one target kind');
  if (!(Number.isInteger(args.leaseMs) && args.leaseMs > 0)) throw new Error(`leaseJob: leaseMs must be a whole number > 0, got ${args.leaseMs}`);
  if (args.agentId === '') throw new Error('leaseJob: agentId must not be empty');
  const token = randomBytes(18).toString('base64url');
  const leaseExpiresAt = now + args.leaseMs;

  return withWriteTransaction(db, async (tx) => {
    const next = lockRows(
      tx('jobs as j')
        .leftJoin('queue_teams as t', 't.team', 'j.team')
        .select('j.id')
        .where('j.state', 'queued')
        .andWhere('j.run_after', '<=', now)
        .whereIn('j.target_kind', [...args.targetKinds])
        .andWhere((q) =>
          args.deviceId === undefined ? q.whereNull('j.pinned_device_id') : q.whereNull('j.pinned_device_id').orWhere('j.pinned_device_id', args.deviceId),
        )
        // A device that cannot run a format (a desktop without bubblewrap and a solution package) leaves
        // the job to one that can, rather than failing it attempt after attempt. The format is on the job
        // row (migration 0008): the pick reads no table but the queue's own.
        .modify((q) => {
          if (args.formats !== undefined) q.whereIn('j.artifact_format', [...args.formats]);
        })
        .orderBy('j.priority', 'desc')
        .orderByRaw('COALESCE(t.last_lease_seq, 0)')
        .orderBy('j.created_at')
        .orderBy('j.id')
        .limit(1),
      tx.dialect,
      'skip-locked',
      'j',
    );
    const [row] = (await tx('jobs')
      .where('id', next)
      .andWhere('state', 'queued')
      .update({
        state: 'leased',
        attempts: tx.raw('attempts + 1'),
        lease_token: token,
        leased_by: args.agentId,
        lease_expires_at: leaseExpiresAt,
        heartbeat_at: now,
        // A new attempt starts without the previous attempt's progress.
        progress_json: null,
        updated_at: now,
      })
      .returning('*')) as JobRow[];
    if (row === undefined) return null;

    const [seq] = await recordJobEvents(
      tx,
      [{ jobId: row.id, fromState: 'queued', toState: 'leased', actor: args.agentId, detail: { attempt: row.attempts, leaseExpiresAt } }],
      now,
    );
    await tx('queue_teams').insert({ team: row.team, last_lease_seq: seq, last_leased_at: now }).onConflict('team').merge();
    return { job: toJob(row), token };
  });
}
