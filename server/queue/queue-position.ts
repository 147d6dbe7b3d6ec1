import type { Db } from '../db/index.js';
import type { JobRow } from './job.js';

interface TeamQueue {
  team: string;
  queued: number;
  seq: number;
  head_created_at: number;
  head_id: number;
}

/**
 * How many jobs would be leased before this one: 0 means it is next. null when the job is not queued (or
 * does not exist). An estimate, exact only if nothing else is queued, no lease fails and every agent of the
 * job's target kind keeps leasing; jobs of other target kinds are ignored (other agents take them).
 *
 * Counted from the lease order: every queued job of the same kind with a higher priority, then round-robin
 * among teams at the job's priority. If the job is the k-th of its team's queue, the jobs ahead of it are
 * its team's k-1 older jobs, up to k-1 jobs of each other team, and the k-th job of each team whose turn
 * comes before its team's in the rotation (the team whose latest lease is older, then whose oldest queued
 * job is older). Jobs waiting out a retry backoff count as queued.
 */
export async function queuePosition(db: Db, jobId: number): Promise<number | null> {
  const job = (await db('jobs').where('id', jobId).first()) as JobRow | undefined;
  if (job === undefined || job.state !== 'queued') return null;

  const queuedOfKind = () => db('jobs').where({ state: 'queued', target_kind: job.target_kind });
  const higher = (await queuedOfKind().andWhere('priority', '>', job.priority).count({ n: '*' }).first()) as { n: number };
  const ownAhead = (await queuedOfKind()
    .andWhere({ team: job.team, priority: job.priority })
    .andWhere((q) => q.where('created_at', '<', job.created_at).orWhere((q2) => q2.where('created_at', job.created_at).andWhere('id', '<', job.id)))
    .count({ n: '*' })
    .first()) as { n: number };
  const teams = (await db('jobs as j')
    .leftJoin('queue_teams as t', 't.team', 'j.team')
    .where({ 'j.state': 'queued', 'j.target_kind': job.target_kind, 'j.priority': job.priority })
    .groupBy('j.team')
    .select(
      'j.team as team',
      db.raw('COUNT(*) AS queued'),
      db.raw('COALESCE(MAX(t.last_lease_seq), 0) AS seq'),
      db.raw('MIN(j.created_at) AS head_created_at'),
      db.raw('MIN(j.id) AS head_id'),
    )) as TeamQueue[];

  const own = teams.find((t) => t.team === job.team);
  if (own === undefined) return null; // leased between the queries
  const turnBefore = (a: TeamQueue, b: TeamQueue): boolean =>
    a.seq !== b.seq ? a.seq < b.seq : a.head_created_at !== b.head_created_at ? a.head_created_at < b.head_created_at : a.head_id < b.head_id;

  const k = ownAhead.n + 1;
  let ahead = higher.n + (k - 1);
  for (const other of teams) {
    if (other.team === job.team) continue;
    ahead += Math.min(other.queued, k - 1);
    if (other.queued >= k && turnBefore(other, own)) ahead += 1;
  }
  return ahead;
}
