import type { Knex } from 'knex';
import type { Db } from '../db/index.js';
import type { JobRow } from './job.js';
import type { LeaseArgs } from './lease-args.js';

/** The columns a lease sets on the job it claims. */
export interface Claim {
  readonly token: string;
  readonly agentId: string;
  readonly leaseExpiresAt: number;
}

/** How the claim chooses its job: each team's next jobs from an index, or one sort of the whole queue. */
export type PickMode = 'team-heads' | 'full-sort';

/**
 * How many of each team's next jobs the PostgreSQL pick considers. A concurrent leaser holds at most one of
 * them (SKIP LOCKED passes over it), so while fewer than this many leases are in flight the pick is the one
 * the full sort would make. With more, all of one team's candidates may be held: the pick then takes the
 * next team's job rather than that team's ninth (only while those leases are in flight, a few ms: leases of
 * one team also queue on its queue_teams row), and when every candidate is held the full sort decides.
 */
const CANDIDATES_PER_TEAM = 8;

interface Sql {
  readonly sql: string;
  readonly bindings: Knex.RawBinding[];
}

/**
 * The filters a leaser puts on the jobs it may take, as SQL on the jobs alias `x`. Not in any index key: a
 * team whose front jobs are all ineligible (another device's pinned runs, a backoff) costs a longer walk.
 */
function eligible(tx: Db, args: LeaseArgs, now: number): Sql {
  const bindings: Knex.RawBinding[] = [now];
  // SQLite: the unary + keeps its planner off jobs_queued_idx (target_kind, run_after), which it otherwise
  // prefers for the range on run_after and then sorts the team's whole range (277 ms at 100,000 queued).
  let sql = tx.dialect === 'sqlite' ? '+x.run_after <= ?' : 'x.run_after <= ?';
  if (args.deviceId === undefined) sql += ' AND x.pinned_device_id IS NULL';
  else {
    sql += ' AND (x.pinned_device_id IS NULL OR x.pinned_device_id = ?)';
    bindings.push(args.deviceId);
  }
  if (args.formats !== undefined) {
    // A device that cannot run a format (a desktop without bubblewrap and a solution package) leaves the job
    // to one that can, rather than failing it attempt after attempt. The format is on the job row (migration
    // 0008): the pick reads no table but the queue's own. An empty list matches nothing, as whereIn([]) did.
    if (args.formats.length === 0) sql += ' AND 1 = 0';
    else {
      sql += ` AND x.artifact_format IN (${args.formats.map(() => '?').join(', ')})`;
      bindings.push(...args.formats);
    }
  }
  return { sql, bindings };
}

/**
 * `WITH RECURSIVE ..., picked(id) AS (...)`: the job the lease claims, by the fair order (lease-job.ts).
 *
 * team-heads reads a few index entries per team, however deep the queue (bench/lease-depth.ts): the teams
 * with queued jobs of each kind come from skipping through jobs_lease_pick_idx (migration 0013: one probe
 * per team), each team's next jobs from the front of its range, and only those few candidates are sorted.
 * The order is the full sort's: the job that sorts first by (priority desc, team's last lease, created_at,
 * id) is also the first, in (priority desc, created_at, id), of its own team's jobs, because a team's last
 * lease is the same for all its jobs. So the first of the teams' first jobs is the first job.
 *
 * full-sort sorts every due queued job of the leaser's kinds (what the lease did before migration 0013):
 * PostgreSQL's fallback when concurrent leasers hold every team-heads candidate.
 */
function picked(tx: Db, args: LeaseArgs, now: number, mode: PickMode): Sql {
  const filter = eligible(tx, args, now);
  const lock = tx.dialect === 'postgres' ? 'FOR UPDATE OF j SKIP LOCKED' : '';
  if (mode === 'full-sort') {
    const kinds = args.targetKinds.map(() => '?').join(', ');
    return {
      sql: `WITH picked(id) AS (
        SELECT x.id FROM jobs x LEFT JOIN queue_teams q ON q.team = x.team
        WHERE x.state = 'queued' AND x.target_kind IN (${kinds}) AND ${filter.sql}
        ORDER BY x.priority DESC, COALESCE(q.last_lease_seq, 0), x.created_at, x.id
        LIMIT 1 ${lock.replace('OF j', 'OF x')}
      )`,
      bindings: [...args.targetKinds, ...filter.bindings],
    };
  }
  const kinds = args.targetKinds.map(() => 'SELECT CAST(? AS TEXT)').join(' UNION ALL ');
  const teams = `kinds(kind) AS (${kinds}),
    teams(kind, team) AS (
      SELECT k.kind, (SELECT x.team FROM jobs x WHERE x.state = 'queued' AND x.target_kind = k.kind ORDER BY x.team LIMIT 1) FROM kinds k
      UNION ALL
      SELECT t.kind, (SELECT x.team FROM jobs x WHERE x.state = 'queued' AND x.target_kind = t.kind AND x.team > t.team ORDER BY x.team LIMIT 1)
      FROM teams t WHERE t.team IS NOT NULL
    )`;
  const nextOfTeam = (columns: string): string => `SELECT ${columns} FROM jobs x
    WHERE x.state = 'queued' AND x.target_kind = t.kind AND x.team = t.team AND ${filter.sql}
    ORDER BY x.priority DESC, x.created_at, x.id`;
  const bindings = [...args.targetKinds, ...filter.bindings];
  if (tx.dialect === 'postgres') {
    // LATERAL: each team's next few jobs; FOR UPDATE OF j SKIP LOCKED takes the first candidate no other
    // transaction holds, in the fair order (the claim's UPDATE re-checks that it is still queued).
    // The candidates are materialized and the jobs they name are fetched by primary key (= ANY of an
    // array), so that the plan does not depend on statistics: on a table not yet analyzed PostgreSQL
    // estimates one queued job and, joining jobs first, ran the per-team scans once per queued job. The
    // state re-check (after the row lock) is written so that no partial index on queued jobs matches it:
    // else the planner walks that whole index filtering on the ids.
    return {
      sql: `WITH RECURSIVE ${teams},
      candidates AS MATERIALIZED (
        SELECT c.id, c.priority, c.created_at, COALESCE(q.last_lease_seq, 0) AS seq FROM teams t
        CROSS JOIN LATERAL (${nextOfTeam('x.id, x.priority, x.created_at')} LIMIT ${CANDIDATES_PER_TEAM}) c
        LEFT JOIN queue_teams q ON q.team = t.team
        WHERE t.team IS NOT NULL
      ),
      picked(id) AS (
        SELECT j.id FROM jobs j JOIN candidates c ON c.id = j.id
        WHERE j.id = ANY (ARRAY(SELECT id FROM candidates)) AND COALESCE(j.state, '') = 'queued'
        ORDER BY c.priority DESC, c.seq, c.created_at, c.id
        LIMIT 1 ${lock}
      )`,
      bindings,
    };
  }
  // SQLite: the transaction holds the database's only write lock, so nothing is held by anyone else: each
  // team's first job is enough.
  return {
    sql: `WITH RECURSIVE ${teams},
    heads(team, id) AS (SELECT t.team, (${nextOfTeam('x.id')} LIMIT 1) FROM teams t WHERE t.team IS NOT NULL),
    picked(id) AS (
      SELECT j.id FROM heads h JOIN jobs j ON j.id = h.id LEFT JOIN queue_teams q ON q.team = h.team
      ORDER BY j.priority DESC, COALESCE(q.last_lease_seq, 0), j.created_at, j.id
      LIMIT 1
    )`,
    bindings,
  };
}

function claimSet(claim: Claim, now: number): Sql {
  return {
    // A new attempt starts without the previous attempt's progress.
    sql: `state = 'leased', attempts = attempts + 1, lease_token = ?, leased_by = ?, lease_expires_at = ?, heartbeat_at = ?,
      progress_json = NULL, updated_at = ?`,
    bindings: [claim.token, claim.agentId, claim.leaseExpiresAt, now, now],
  };
}

/**
 * SQLite, inside the lease's write transaction: claims the picked job (one guarded UPDATE) and returns its
 * row, or undefined when there is none. The caller writes the job_events row and the team's turn.
 */
export async function claimPickedSqlite(tx: Db, args: LeaseArgs, claim: Claim, now: number): Promise<JobRow | undefined> {
  const pick = picked(tx, args, now, 'team-heads');
  const set = claimSet(claim, now);
  const rows = (await tx.raw(`${pick.sql} UPDATE jobs SET ${set.sql} WHERE id = (SELECT id FROM picked) AND state = 'queued' RETURNING *`, [
    ...pick.bindings,
    ...set.bindings,
  ])) as JobRow[];
  return rows[0];
}

/**
 * PostgreSQL: the whole lease in one statement, atomic without a transaction of its own: the guarded UPDATE
 * claims the picked job, and data-modifying CTEs write its job_events row and the team's turn
 * (queue_teams.last_lease_seq = that row's id), so a lease is one round trip instead of five. Returns the
 * claimed row and the event's id, or undefined when the pick found nothing it could lock.
 *
 * The detail is the JSON text JSON.stringify writes for `{ attempt, leaseExpiresAt }` (both integers).
 */
export async function leaseInOneStatementPostgres(tx: Db, args: LeaseArgs, claim: Claim, now: number, mode: PickMode): Promise<JobRow | undefined> {
  const pick = picked(tx, args, now, mode);
  const set = claimSet(claim, now);
  const sql = `${pick.sql},
    claimed AS (UPDATE jobs SET ${set.sql} WHERE jobs.id = (SELECT id FROM picked) AND jobs.state = 'queued' RETURNING jobs.*),
    event AS (
      INSERT INTO job_events (job_id, at, from_state, to_state, actor, detail)
      SELECT id, ?, 'queued', 'leased', ?, '{"attempt":' || attempts || ',"leaseExpiresAt":' || CAST(? AS TEXT) || '}' FROM claimed
      RETURNING id, job_id
    ),
    turn AS (
      INSERT INTO queue_teams (team, last_lease_seq, last_leased_at)
      SELECT c.team, e.id, ? FROM claimed c JOIN event e ON e.job_id = c.id
      ON CONFLICT (team) DO UPDATE SET last_lease_seq = excluded.last_lease_seq, last_leased_at = excluded.last_leased_at
    )
    SELECT * FROM claimed`;
  if (!Number.isSafeInteger(claim.leaseExpiresAt)) throw new Error(`leaseJob: leaseExpiresAt must be a whole number, got ${claim.leaseExpiresAt}`);
  const result = (await tx.raw(sql, [...pick.bindings, ...set.bindings, now, claim.agentId, String(claim.leaseExpiresAt), now])) as { rows: JobRow[] };
  return result.rows[0];
}
