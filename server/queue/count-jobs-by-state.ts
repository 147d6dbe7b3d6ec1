import type { Db } from '../db/index.js';
import type { JobState } from './job.js';

export interface JobCount {
  readonly track: string;
  readonly state: JobState;
  readonly count: number;
}

/** How many jobs each track has in each state (GET /metrics: the queue's depth is the `queued` rows). */
export async function countJobsByState(db: Db): Promise<JobCount[]> {
  const rows = (await db('jobs').select('track', 'state').count({ n: '*' }).groupBy('track', 'state')) as {
    track: string;
    state: JobState;
    n: number | string;
  }[];
  return rows.map((r) => ({ track: r.track, state: r.state, count: Number(r.n) }));
}
