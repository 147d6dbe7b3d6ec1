import type { Db } from '../db/index.js';
import { countUnchargedJobs } from '../queue/index.js';
import type { QuotaWindow } from './quota-window.js';

export interface QuotaSubject {
  readonly teamId: number;
  readonly track: string;
}

/**
 * How many of the team's submissions on the track, created within the window, count against its quota:
 * every one except those whose job failed for infrastructure reasons, that is `dead` (the infrastructure
 * gave up), or finished `failed` with `error_fault = 'infrastructure'`. A job queued again after an
 * infrastructure failure still counts: it is still going to run. Queued, leased, done and failed for the
 * submission's fault count. A dead job an organizer re-ran does not count again (countUnchargedJobs).
 */
export async function countQuotaUsed(db: Db, subject: QuotaSubject, window: QuotaWindow): Promise<number> {
  const jobIds = (await db('submissions')
    .where('team_id', subject.teamId)
    .andWhere('track', subject.track)
    .andWhere('created_at', '>=', window.start)
    .andWhere('created_at', '<', window.end)
    .pluck('job_id')) as number[];
  return jobIds.length - (await countUnchargedJobs(db, jobIds));
}
