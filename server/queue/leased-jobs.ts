import type { Db } from '../db/index.js';
import { toJob, type Job, type JobRow } from './job.js';

/** Every leased job, oldest id first (the devices page shows what each device holds). */
export async function listLeasedJobs(db: Db): Promise<Job[]> {
  const rows = (await db('jobs').where('state', 'leased').orderBy('id')) as JobRow[];
  return rows.map(toJob);
}

/**
 * The leased job this leaser holds (its `leased_by`, e.g. `device:3`), the oldest if it holds several, or
 * undefined. Whether its lease time has passed does not matter: until the reaper reclaims it, it is held.
 */
export async function jobLeasedBy(db: Db, leasedBy: string): Promise<Job | undefined> {
  const row = (await db('jobs').where({ state: 'leased', leased_by: leasedBy }).orderBy('id').first()) as JobRow | undefined;
  return row === undefined ? undefined : toJob(row);
}
