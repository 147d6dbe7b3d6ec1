import type { Db } from '../db/index.js';
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
 * submission's fault count.
 */
export async function countQuotaUsed(db: Db, subject: QuotaSubject, window: QuotaWindow): Promise<number> {
  const [row] = (await db('submissions as s')
    .join('jobs as j', 'j.id', 's.job_id')
    .where('s.team_id', subject.teamId)
    .andWhere('s.track', subject.track)
    .andWhere('s.created_at', '>=', window.start)
    .andWhere('s.created_at', '<', window.end)
    .andWhere('j.state', '<>', 'dead')
    .andWhere((q) => q.whereNot('j.state', 'failed').orWhereNull('j.error_fault').orWhereNot('j.error_fault', 'infrastructure'))
    .count({ n: '*' })) as Array<{ n: number | string }>;
  return Number(row?.n ?? 0);
}
