import { withWriteTransaction, type Db } from '../db/index.js';
import { recordJobEvents } from './job-events.js';
import { toJob, type Job, type JobRow } from './job.js';

export const DEFAULT_MAX_ATTEMPTS = 5;

export interface EnqueueArgs {
  readonly submissionId: string;
  readonly team: string;
  readonly track: string;
  /** Which agents may run it: an agent leases only jobs whose kind is among its own. */
  readonly targetKind: string;
  /** The split it runs on (jobs.split); omitted: its submission's split. */
  readonly split?: string;
  /**
   * The format of its submission's artifact (onnx, tflite, zip): a device that declared the formats it runs
   * leases only jobs in one of them (leaseJob's `formats`), reading nothing but the job row.
   */
  readonly artifactFormat: string;
  /** Higher first (default 0). */
  readonly priority?: number;
  /** Leases allowed before an infrastructure failure makes it dead (default 5). */
  readonly maxAttempts?: number;
  /** Not leased before this time (default: now). */
  readonly runAfter?: number;
  /** Recorded in job_events (default 'server'). */
  readonly actor?: string;
}

/** Adds a queued job. Call it with a transaction-bound Db to queue a job together with the caller's own rows. */
export async function enqueueJob(db: Db, args: EnqueueArgs, now: number): Promise<Job> {
  const maxAttempts = args.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
  if (!(Number.isInteger(maxAttempts) && maxAttempts >= 1)) throw new Error(`enqueueJob: maxAttempts must be a whole number >= 1, got ${maxAttempts}`);
  const priority = args.priority ?? 0;
  if (!Number.isInteger(priority)) throw new Error(`enqueueJob: priority must be a whole number, got ${priority}`);
  for (const key of ['submissionId', 'team', 'track', 'targetKind', 'artifactFormat'] as const) {
    if (args[key] === '') throw new Error(`enqueueJob: ${key} must not be empty`);
  }
  const runAfter = args.runAfter ?? now;
  const actor = args.actor ?? 'server';
  const detail = { priority, runAfter };
  const values = {
    submission_id: args.submissionId,
    team: args.team,
    track: args.track,
    target_kind: args.targetKind,
    split: args.split ?? null,
    artifact_format: args.artifactFormat,
    state: 'queued',
    priority,
    attempts: 0,
    max_attempts: maxAttempts,
    run_after: runAfter,
    created_at: now,
    updated_at: now,
  };
  if (db.dialect === 'postgres') {
    // One statement, atomic by itself (no savepoint inside the caller's transaction): the INSERT and, in a
    // data-modifying CTE, its job_events row.
    const columns = Object.keys(values);
    const result = (await db.raw(
      `WITH queued AS (INSERT INTO jobs (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')}) RETURNING *),
      event AS (INSERT INTO job_events (job_id, at, from_state, to_state, actor, detail) SELECT id, ?, NULL, 'queued', ?, ? FROM queued)
      SELECT * FROM queued`,
      [...Object.values(values), now, actor, JSON.stringify(detail)],
    )) as { rows: JobRow[] };
    return toJob(result.rows[0]!);
  }
  return withWriteTransaction(db, async (tx) => {
    const [row] = (await tx('jobs').insert(values).returning('*')) as JobRow[];
    await recordJobEvents(tx, [{ jobId: row.id, fromState: null, toState: 'queued', actor, detail }], now);
    return toJob(row);
  });
}
