import type { Db } from '../db/index.js';

const IDS_PER_QUERY = 1000;

/**
 * How many of these jobs ended as the infrastructure's fault: `dead` (retries used up), or `failed` with
 * `error_fault = 'infrastructure'`. A job queued again after an infrastructure failure is not counted: it
 * is still going to run. (The quota counts submissions minus these: server/quota.)
 */
export async function countInfrastructureFailures(db: Db, jobIds: readonly number[]): Promise<number> {
  const ids = [...new Set(jobIds)];
  let n = 0;
  for (let i = 0; i < ids.length; i += IDS_PER_QUERY) {
    const [row] = (await db('jobs')
      .whereIn('id', ids.slice(i, i + IDS_PER_QUERY))
      .andWhere((q) => q.where('state', 'dead').orWhere((f) => f.where('state', 'failed').andWhere('error_fault', 'infrastructure')))
      .count({ n: '*' })) as Array<{ n: number | string }>;
    n += Number(row?.n ?? 0);
  }
  return n;
}

/**
 * How many of these jobs ended `failed` by the submission's fault (a phase's cap on failed submissions counts
 * these: server/quota). Infrastructure failures are never among them.
 */
export async function countSubmissionFailures(db: Db, jobIds: readonly number[]): Promise<number> {
  const ids = [...new Set(jobIds)];
  let n = 0;
  for (let i = 0; i < ids.length; i += IDS_PER_QUERY) {
    const [row] = (await db('jobs')
      .whereIn('id', ids.slice(i, i + IDS_PER_QUERY))
      .andWhere('state', 'failed')
      .andWhere('error_fault', 'submission')
      .count({ n: '*' })) as Array<{ n: number | string }>;
    n += Number(row?.n ?? 0);
  }
  return n;
}

/**
 * How many of these jobs a team is not charged for (server/quota): the infrastructure's failures
 * (countInfrastructureFailures), and jobs an organizer re-ran after the infrastructure gave up on them (a
 * `dead` -> `queued` event, requeueJobs): re-runs are never charged, so a job that did not count while dead does
 * not count again once revived. Each job is counted once, whichever of these holds.
 */
export async function countUnchargedJobs(db: Db, jobIds: readonly number[]): Promise<number> {
  const ids = [...new Set(jobIds)];
  let n = 0;
  for (let i = 0; i < ids.length; i += IDS_PER_QUERY) {
    const chunk = ids.slice(i, i + IDS_PER_QUERY);
    const revived = db('job_events').select('job_id').whereIn('job_id', chunk).andWhere({ from_state: 'dead', to_state: 'queued' });
    const [row] = (await db('jobs')
      .whereIn('id', chunk)
      .andWhere((q) =>
        q
          .where('state', 'dead')
          .orWhere((f) => f.where('state', 'failed').andWhere('error_fault', 'infrastructure'))
          .orWhereIn('id', revived),
      )
      .count({ n: '*' })) as Array<{ n: number | string }>;
    n += Number(row?.n ?? 0);
  }
  return n;
}
