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
