import type { Db } from '../db/index.js';
import type { JobEvent } from './job-events.js';
import { toJob, type Job, type JobRow, type JobState } from './job.js';

export interface JobPage {
  /** Jobs with an id above this one (0: from the start). */
  readonly afterId: number;
  readonly limit: number;
  readonly state?: JobState;
  readonly track?: string;
}

/**
 * One page of jobs by id, oldest first, optionally of one state and track: the organizers' reads (the dead
 * jobs to re-run, the bulk export), which page through a table of any size with a bounded memory.
 */
export async function listJobs(db: Db, page: JobPage): Promise<Job[]> {
  const query = db('jobs').where('id', '>', page.afterId).orderBy('id').limit(page.limit);
  if (page.state !== undefined) query.andWhere('state', page.state);
  if (page.track !== undefined) query.andWhere('track', page.track);
  return ((await query) as JobRow[]).map(toJob);
}

/** One page of every job's history by event id, oldest first (the bulk export). */
export async function listJobEvents(db: Db, afterId: number, limit: number): Promise<JobEvent[]> {
  const rows = (await db('job_events').where('id', '>', afterId).orderBy('id').limit(limit)) as Array<{
    id: number;
    job_id: number;
    at: number;
    from_state: JobState | null;
    to_state: JobState;
    actor: string;
    detail: string | null;
  }>;
  return rows.map((r) => ({
    id: r.id,
    jobId: r.job_id,
    at: r.at,
    fromState: r.from_state,
    toState: r.to_state,
    actor: r.actor,
    detail: r.detail === null ? null : (JSON.parse(r.detail) as Record<string, unknown>),
  }));
}
