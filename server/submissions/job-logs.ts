/**
 * The `job_logs` rows (migration 0010): the stdout/stderr tails an agent sent with a job's completion or
 * failure, one row per job, attempt and stream. THE ONLY CODE THAT NAMES `job_logs`. Written in the same
 * transaction as the job's state change (server/http/agent-complete.ts, agent-routes.ts), so that a job's
 * logs exist exactly when the report that carried them was accepted.
 */
import type { RunLogs, StreamLog } from '../../harness/wire/index.js';
import type { Db } from '../db/index.js';

export type LogStream = 'stdout' | 'stderr';

/** One attempt's tails, as the status page and GET /api/submissions/:id show them. */
export interface AttemptLogs {
  readonly attempt: number;
  readonly stdout: StreamLog | null;
  readonly stderr: StreamLog | null;
  /** When the report that carried them arrived. */
  readonly at: number;
}

interface JobLogRow {
  attempt: number;
  stream: LogStream;
  text: string;
  truncated: boolean | number;
  created_at: number;
}

const STREAMS: readonly LogStream[] = ['stdout', 'stderr'];

/**
 * Stores the tails of one attempt, inside the caller's transaction. A lease is held by one attempt and
 * reported once, so a row never exists already. NUL cannot be stored in PostgreSQL's text: an agent that did
 * not replace it (the wire allows any string) gets it replaced here.
 */
export async function recordJobLogs(
  tx: Db,
  args: { readonly jobId: number; readonly attempt: number; readonly logs: RunLogs | undefined },
  now: number,
): Promise<void> {
  const rows = STREAMS.flatMap((stream) => {
    const log = args.logs?.[stream];
    if (log === undefined) return [];
    return [{ job_id: args.jobId, attempt: args.attempt, stream, text: log.text.replaceAll('\u0000', '\uFFFD'), truncated: log.truncated, created_at: now }];
  });
  if (rows.length > 0) await tx('job_logs').insert(rows);
}

/** A job's tails by attempt, oldest attempt first; an attempt that reported none is not listed. */
export async function getJobLogs(db: Db, jobId: number): Promise<AttemptLogs[]> {
  const rows = (await db('job_logs').where('job_id', jobId).orderBy('attempt').orderBy('stream')) as JobLogRow[];
  const byAttempt = new Map<number, { stdout: StreamLog | null; stderr: StreamLog | null; at: number }>();
  for (const r of rows) {
    const entry = byAttempt.get(r.attempt) ?? { stdout: null, stderr: null, at: r.created_at };
    // SQLite keeps booleans as 0/1.
    entry[r.stream] = { text: r.text, truncated: Boolean(r.truncated) };
    byAttempt.set(r.attempt, entry);
  }
  return [...byAttempt].map(([attempt, e]) => ({ attempt, ...e }));
}

/**
 * Removes the jobs' logs: an organizer's re-run (server/admin/rerun-jobs.ts) counts attempts from 1 again, and
 * the old rows would refuse the new run's report (one row per job, attempt and stream). In the re-run's
 * transaction, as the old results go.
 */
export async function deleteJobLogs(tx: Db, jobIds: readonly number[]): Promise<void> {
  if (jobIds.length > 0)
    await tx('job_logs')
      .whereIn('job_id', [...jobIds])
      .delete();
}
