/**
 * The `results` rows (migration 0004): the scored record and the raw measurement it came from, one per
 * job. Written only in the same transaction as the job's completeJob, so a result exists exactly when its
 * job is done.
 */
import type { Db } from '../db/index.js';

export interface NewResult {
  readonly jobId: number;
  readonly submissionId: string;
  readonly recordJson: string;
  /** The completion body without the lease token (completion-schema.ts): re-scorable. */
  readonly rawJson: string;
}

export async function insertResult(tx: Db, result: NewResult, now: number): Promise<void> {
  await tx('results').insert({ job_id: result.jobId, submission_id: result.submissionId, record_json: result.recordJson, raw_json: result.rawJson, created_at: now });
}

export interface StoredResult {
  readonly id: number;
  readonly jobId: number;
  readonly submissionId: string;
  readonly recordJson: string;
  readonly rawJson: string;
  readonly createdAt: number;
}

interface ResultRow {
  id: number;
  job_id: number;
  submission_id: string;
  record_json: string;
  raw_json: string;
  created_at: number;
}

export async function getResultOfJob(db: Db, jobId: number): Promise<StoredResult | undefined> {
  const row = (await db('results').where('job_id', jobId).first()) as ResultRow | undefined;
  if (row === undefined) return undefined;
  return { id: row.id, jobId: row.job_id, submissionId: row.submission_id, recordJson: row.record_json, rawJson: row.raw_json, createdAt: row.created_at };
}
