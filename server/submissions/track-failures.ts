/**
 * A track's failed submissions as everyone may see them when the track publishes them
 * (`participants.publicFailures`): the team, when, the code and whose fault, never the message or the logs,
 * which may hold a team's private details.
 */
import type { Db } from '../db/index.js';
import { getJobs, type JobFault } from '../queue/index.js';

export interface PublicFailure {
  readonly submission: string;
  /** The team's name, or `baseline <name>` for an organizer's baseline. */
  readonly team: string;
  readonly submittedAt: number;
  readonly failedAt: number | null;
  readonly code: string;
  readonly fault: JobFault;
}

/** The most failures listed. */
export const MAX_PUBLIC_FAILURES = 200;
/** Submissions read per step while looking for failures, newest first. */
const BATCH = 1000;
/** The newest submissions looked at, at most: a page answers in bounded time on a track of any age. */
const MAX_SCANNED = 20_000;

/**
 * The track's failed submissions (failed or dead jobs), newest submission first, at most `limit`. Job states
 * are read through server/queue, the owner of `jobs`, a batch of submissions at a time.
 */
export async function listTrackFailures(db: Db, track: string, limit = MAX_PUBLIC_FAILURES): Promise<PublicFailure[]> {
  const failures: PublicFailure[] = [];
  for (let offset = 0; offset < MAX_SCANNED && failures.length < limit; offset += BATCH) {
    const rows = (await db('submissions as s')
      .join('teams as t', 't.id', 's.team_id')
      .where('s.track', track)
      .orderBy('s.created_at', 'desc')
      .orderBy('s.id')
      .offset(offset)
      .limit(BATCH)
      .select('s.id', 't.name as team', 's.baseline_name', 's.created_at', 's.job_id')) as Array<{
      id: string;
      team: string;
      baseline_name: string | null;
      created_at: number;
      job_id: number;
    }>;
    const jobs = new Map(
      (
        await getJobs(
          db,
          rows.map((r) => r.job_id),
        )
      ).map((j) => [j.id, j]),
    );
    for (const r of rows) {
      const job = jobs.get(r.job_id);
      if (job === undefined || (job.state !== 'failed' && job.state !== 'dead')) continue;
      failures.push({
        submission: r.id,
        team: r.baseline_name === null ? r.team : `baseline ${r.baseline_name}`,
        submittedAt: r.created_at,
        failedAt: job.finishedAt,
        code: job.lastErrorCode ?? 'LPCV_E_INTERNAL',
        fault: job.state === 'dead' ? 'infrastructure' : (job.errorFault ?? 'submission'),
      });
      if (failures.length === limit) break;
    }
    if (rows.length < BATCH) break;
  }
  return failures;
}
