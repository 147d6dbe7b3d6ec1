/**
 * The `results` rows (migrations 0004, 0008): the one store of a finished run's record, beside the raw
 * measurement it was scored from, one per job. Written only in the same transaction as the job's
 * completeJob, so a result exists exactly when its job is done. The leaderboard, the status pages, the
 * submissions API and re-scoring read records here; the job row holds none.
 */
import type { Db } from '../db/index.js';

export interface NewResult {
  readonly jobId: number;
  readonly submissionId: string;
  readonly recordJson: string;
  /**
   * The completion body without the lease token (harness/wire/completion.ts): re-scorable. Null: no raw
   * measurement is kept (a record moved out of the job row by migration 0008), which a re-score refuses.
   */
  readonly rawJson: string | null;
}

export async function insertResult(tx: Db, result: NewResult, now: number): Promise<void> {
  await tx('results').insert({
    job_id: result.jobId,
    submission_id: result.submissionId,
    record_json: result.recordJson,
    raw_json: result.rawJson,
    created_at: now,
  });
}

export interface StoredResult {
  readonly id: number;
  readonly jobId: number;
  readonly submissionId: string;
  readonly recordJson: string;
  readonly rawJson: string | null;
  readonly createdAt: number;
}

interface ResultRow {
  id: number;
  job_id: number;
  submission_id: string;
  record_json: string;
  raw_json: string | null;
  created_at: number;
}

/** The whole result of a job, raw measurement included (which may be many megabytes: pages want getRecordJsonOfJob). */
export async function getResultOfJob(db: Db, jobId: number): Promise<StoredResult | undefined> {
  const row = (await db('results').where('job_id', jobId).first()) as ResultRow | undefined;
  if (row === undefined) return undefined;
  return { id: row.id, jobId: row.job_id, submissionId: row.submission_id, recordJson: row.record_json, rawJson: row.raw_json, createdAt: row.created_at };
}

/** The scored record of a job (JSON text), or undefined while it has none (not done). */
export async function getRecordJsonOfJob(db: Db, jobId: number): Promise<string | undefined> {
  const row = (await db('results').where('job_id', jobId).first('record_json')) as { record_json: string } | undefined;
  return row?.record_json;
}

/** Ids per query: far below SQLite's and PostgreSQL's limits on bound parameters. */
const IDS_PER_QUERY = 1000;

/** The scored records (JSON text) of those of these jobs that have one, by job id. */
export async function getRecordJsonsOfJobs(db: Db, jobIds: readonly number[]): Promise<Map<number, string>> {
  const ids = [...new Set(jobIds)];
  const records = new Map<number, string>();
  for (let i = 0; i < ids.length; i += IDS_PER_QUERY) {
    const rows = (await db('results')
      .whereIn('job_id', ids.slice(i, i + IDS_PER_QUERY))
      .select('job_id', 'record_json')) as Array<{ job_id: number; record_json: string }>;
    for (const r of rows) records.set(Number(r.job_id), r.record_json);
  }
  return records;
}

/** Removes the jobs' results: an organizer's re-run (server/admin/rerun-jobs.ts) runs them again, and a job is done exactly when its result exists. */
export async function deleteResultsOfJobs(tx: Db, jobIds: readonly number[]): Promise<void> {
  if (jobIds.length > 0)
    await tx('results')
      .whereIn('job_id', [...jobIds])
      .delete();
}

/**
 * The target's own report of a done job (`measurement.targetReport` of the raw completion: what a hosted farm
 * said of its device and layers), or undefined. Reads the raw measurement, which may be large: for the status page
 * of one submission, not for lists.
 */
export async function getTargetReportOfJob(db: Db, jobId: number): Promise<Record<string, unknown> | undefined> {
  const row = (await db('results').where('job_id', jobId).first('raw_json')) as { raw_json: string | null } | undefined;
  if (row?.raw_json == null) return undefined;
  const report = (JSON.parse(row.raw_json) as { measurement?: { targetReport?: unknown } }).measurement?.targetReport;
  return report !== null && typeof report === 'object' ? (report as Record<string, unknown>) : undefined;
}
