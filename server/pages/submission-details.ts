/**
 * What the status page shows of one submission (reads only): the job through server/queue (the owner of
 * `jobs`), the record from `results` (the one result store), the runs' state changes, output tails and device
 * (server/submissions/submission-run.ts, shared with the API).
 */
import type { ResultRecord } from '../../harness/result-record.js';
import type { Db } from '../db/index.js';
import { SUBMISSION_ID } from '../submissions/submissions-table.js';
import { readSubmissionRun, type SubmissionRun } from '../submissions/submission-run.js';
import { servedTrack } from '../submissions/participant-settings.js';
import { selectedEntry } from '../leaderboard/entry-selections.js';
import type { Viewer } from '../leaderboard/viewer.js';
import { getJob, getJobs, queuePosition, type Job, type JobProgress } from '../queue/index.js';
import { getRecordJsonOfJob, getRecordJsonsOfJobs, getTargetReportOfJob } from '../scoring/results-table.js';
import type { TrackLookup } from '../tracks/track-lookup.js';

export interface SubmissionDetails extends SubmissionRun {
  readonly id: string;
  readonly track: string;
  readonly split: string;
  readonly team: string;
  readonly baselineName: string | null;
  readonly description: string;
  readonly filename: string | null;
  readonly sha256: string;
  readonly bytes: number;
  readonly format: string;
  readonly createdAt: number;
  readonly job: Job;
  /** How many jobs would be leased before this one (queued only). */
  readonly queuePosition: number | null;
  /** What the device last reported while running (leased only). */
  readonly progress: JobProgress | null;
  readonly result: ResultRecord | null;
  /** The target's own report of a done run when it has one (a hosted farm's layers), for the status page. */
  readonly targetReport?: Record<string, unknown>;
  /**
   * On a track whose leaderboard ranks each team's selected entry (docs/leaderboard.md), for the team's own
   * finished and not failed submission: whether it is the selected one. Null otherwise (no form to show).
   */
  readonly selection: { readonly selected: boolean } | null;
}

interface Row {
  id: string;
  track: string;
  split: string;
  team: string;
  team_id: number;
  baseline_name: string | null;
  description: string;
  filename: string | null;
  sha256: string;
  bytes: number;
  format: string;
  created_at: number;
  job_id: number;
}

/**
 * The submission when this viewer may see it (its team, or an admin), else undefined: another team's
 * submission is as unknown as one that does not exist. `tracks` says whether the track hides the runs' logs
 * (without it, or for a track no longer served, a team does not see them).
 */
export async function submissionDetails(db: Db, id: string, viewer: Viewer, tracks?: TrackLookup): Promise<SubmissionDetails | undefined> {
  if (!SUBMISSION_ID.test(id) || viewer.kind === 'anonymous') return undefined;
  const row = (await db('submissions as s')
    .join('teams as t', 't.id', 's.team_id')
    .where('s.id', id)
    .first(
      's.id',
      's.track',
      's.split',
      't.name as team',
      's.team_id',
      's.baseline_name',
      's.description',
      's.filename',
      's.sha256',
      's.bytes',
      's.format',
      's.created_at',
      's.job_id',
    )) as Row | undefined;
  if (row === undefined || (viewer.kind === 'team' && viewer.teamId !== row.team_id)) return undefined;
  const job = await getJob(db, row.job_id);
  if (job === undefined) return undefined;
  const recordJson = job.state === 'done' ? await getRecordJsonOfJob(db, job.id) : undefined;
  const track = servedTrack(tracks, row.track);
  const selectable =
    track?.leaderboard?.entry === 'selected' && viewer.kind === 'team' && row.baseline_name === null && job.state !== 'failed' && job.state !== 'dead';
  return {
    ...(await readSubmissionRun(db, job, track, viewer)),
    selection: selectable ? { selected: (await selectedEntry(db, row.team_id, row.track))?.submissionId === row.id } : null,
    id: row.id,
    track: row.track,
    split: row.split,
    team: row.team,
    baselineName: row.baseline_name,
    description: row.description,
    filename: row.filename,
    sha256: row.sha256,
    bytes: row.bytes,
    format: row.format,
    createdAt: row.created_at,
    job,
    queuePosition: job.state === 'queued' ? await queuePosition(db, job.id) : null,
    progress: job.state === 'leased' ? job.progress : null,
    result: recordJson === undefined ? null : (JSON.parse(recordJson) as ResultRecord),
    ...(await targetReportOf(db, job.id, recordJson)),
  };
}

/** A done run's target report, read only for targets that profile no layers themselves (the desktop's record has them). */
async function targetReportOf(db: Db, jobId: number, recordJson: string | undefined): Promise<{ targetReport?: Record<string, unknown> }> {
  if (recordJson === undefined || (JSON.parse(recordJson) as ResultRecord).profile !== undefined) return {};
  const report = await getTargetReportOfJob(db, jobId);
  return report === undefined ? {} : { targetReport: report };
}

export interface SubmissionSummary {
  readonly id: string;
  readonly track: string;
  readonly team: string;
  readonly baselineName: string | null;
  readonly filename: string | null;
  readonly createdAt: number;
  readonly state: Job['state'];
  readonly score: number | null;
  readonly errorCode: string | null;
}

/** The viewer's submissions, newest first (a team's own; an admin's view: everyone's), at most `limit`. */
export async function listSubmissions(db: Db, viewer: Viewer, limit = 200): Promise<SubmissionSummary[]> {
  if (viewer.kind === 'anonymous') return [];
  const query = db('submissions as s')
    .join('teams as t', 't.id', 's.team_id')
    .orderBy('s.created_at', 'desc')
    .orderBy('s.id')
    .limit(limit)
    .select('s.id', 's.track', 't.name as team', 's.baseline_name', 's.filename', 's.created_at', 's.job_id');
  if (viewer.kind === 'team') query.where('s.team_id', viewer.teamId);
  const rows = (await query) as Array<{
    id: string;
    track: string;
    team: string;
    baseline_name: string | null;
    filename: string | null;
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
  const records = await getRecordJsonsOfJobs(
    db,
    rows.map((r) => r.job_id),
  );
  // Every submission row is written with its job (recordSubmission): a missing one is no entry.
  return rows.flatMap((r) => {
    const job = jobs.get(r.job_id);
    if (job === undefined) return [];
    const recordJson = records.get(job.id);
    return [
      {
        id: r.id,
        track: r.track,
        team: r.team,
        baselineName: r.baseline_name,
        filename: r.filename,
        createdAt: r.created_at,
        state: job.state,
        score: recordJson === undefined ? null : ((JSON.parse(recordJson) as ResultRecord).score.value ?? null),
        errorCode: job.state === 'failed' || job.state === 'dead' ? job.lastErrorCode : null,
      },
    ];
  });
}
