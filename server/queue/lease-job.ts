import { randomBytes } from 'node:crypto';
import { withWriteTransaction, type Db } from '../db/index.js';
import { recordJobEvents } from './job-events.js';
import { toJob, type Job } from './job.js';
import type { LeaseArgs } from './lease-args.js';
import { claimPickedSqlite, leaseInOneStatementPostgres, type Claim } from './lease-pick.js';

export type { LeaseArgs } from './lease-args.js';

export interface LeasedJob {
  readonly job: Job;
  /** Proof of the lease: every later call for this job (heartbeat, complete, fail) must present it. */
  readonly token: string;
}

/**
 * Takes the next job for an agent, or null when none is due. One guarded UPDATE picks and marks the job,
 * counting the attempt at lease time (an agent that dies mid-run has still used one), with the job_events
 * row and the team's turn: on PostgreSQL in the same statement (data-modifying CTEs: one round trip), on
 * SQLite in the same transaction (in-process: statements cost no round trip there).
 *
 * Order: priority (higher first), then the team whose latest lease is oldest (teams never leased first),
 * then that team's oldest job (created_at, id). Round-robin by team, so a team with 50 queued jobs cannot
 * starve a team with one (docs/queue.md). A job pinned to a device (a reference run) goes to that device only.
 *
 * The pick reads each team's next job from an index instead of sorting the whole queue (lease-pick.ts,
 * migration 0013): the same order, at the same cost with 100 or 100,000 jobs queued (bench/lease-depth.ts).
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

  const claim: Claim = { token, agentId: args.agentId, leaseExpiresAt };

  if (db.dialect === 'postgres') {
    // One statement each, atomic without a transaction (or a savepoint inside the caller's). The full sort
    // runs only when the per-team pick found nothing it could lock: every candidate held by concurrent
    // leasers (more leases in flight than it considers per team), or nothing due at all (then it is cheap).
    const row =
      (await leaseInOneStatementPostgres(db, args, claim, now, 'team-heads')) ?? (await leaseInOneStatementPostgres(db, args, claim, now, 'full-sort'));
    return row === undefined ? null : { job: toJob(row), token };
  }
  return withWriteTransaction(db, async (tx) => {
    const row = await claimPickedSqlite(tx, args, claim, now);
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
