import type { Db } from '../db/index.js';
import { toJob, type Job, type JobRow } from './job.js';

export async function getJob(db: Db, jobId: number): Promise<Job | undefined> {
  const row = (await db('jobs').where('id', jobId).first()) as JobRow | undefined;
  return row === undefined ? undefined : toJob(row);
}
