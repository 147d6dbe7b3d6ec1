import type { Db } from '../db/index.js';
import { toJob, type Job, type JobRow } from './job.js';

/** Ids per query: far below SQLite's and PostgreSQL's limits on bound parameters. */
const IDS_PER_QUERY = 1000;

/** The jobs of these ids that exist, by id (one query per thousand ids). */
export async function getJobs(db: Db, jobIds: readonly number[]): Promise<Job[]> {
  const ids = [...new Set(jobIds)].sort((a, b) => a - b);
  const jobs: Job[] = [];
  for (let i = 0; i < ids.length; i += IDS_PER_QUERY) {
    const rows = (await db('jobs')
      .whereIn('id', ids.slice(i, i + IDS_PER_QUERY))
      .orderBy('id')) as JobRow[];
    jobs.push(...rows.map(toJob));
  }
  return jobs;
}
