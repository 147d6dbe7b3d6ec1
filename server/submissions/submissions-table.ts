/**
 * The `submissions` rows (migration 0003). A row is written only together with its job, in one write
 * transaction: nothing is ever half stored. Its status is read from the job, never stored twice.
 */
import { randomBytes } from 'node:crypto';
import type { Track } from '../../harness/tracks/track.js';
import type { AcceptedSubmission } from '../../submissions/intake/accept-submission.js';
import { withWriteTransaction, type Db } from '../db/index.js';
import { enqueueJob, getJob, type JobState } from '../queue/index.js';
import { getRecordJsonOfJob } from '../scoring/results-table.js';
import { publicLeaderboardSplit, submissionSplit } from '../../harness/tracks/split-policy.js';

/**
 * 96 random bits, base64url: 16 characters, drawn again until the first is a letter or a digit (about 94
 * bits left): an id starting with "-" reads as an option on a command line and as a formula in a
 * spreadsheet (the leaderboard's CSV), and one starting with "_" is easy to misread.
 */
export function newSubmissionId(): string {
  for (;;) {
    const id = randomBytes(12).toString('base64url');
    if (/^[A-Za-z0-9]/.test(id)) return id;
  }
}

export const SUBMISSION_ID = /^[A-Za-z0-9_-]{16}$/;

export interface NewSubmission {
  readonly id: string;
  readonly teamId: number;
  readonly track: Track;
  readonly description: string;
  readonly accepted: AcceptedSubmission;
  /** An organizer's baseline (the reserved team `baseline` submits it): its name. */
  readonly baselineName?: string;
  /** The competition phase (and round) open when it was recorded (server/competitions); none on tracks no phase names. */
  readonly phase?: string | null;
  readonly round?: string | null;
}

/**
 * Queues the submission's job (two on a track with a public leaderboard split) and inserts its row, in one
 * transaction. `beforeInsert` runs first inside it
 * (e.g. the quota's re-check, which must see the rows of uploads that committed meanwhile); if it throws,
 * nothing is written.
 */
export async function recordSubmission(db: Db, submission: NewSubmission, now: number, beforeInsert?: (tx: Db) => Promise<void>): Promise<void> {
  const { id, teamId, track, description, accepted } = submission;
  await withWriteTransaction(db, async (tx) => {
    await beforeInsert?.(tx);
    const split = submissionSplit(track);
    const queued = { submissionId: id, team: String(teamId), track: track.name, targetKind: track.target.kind, artifactFormat: accepted.format };
    const job = await enqueueJob(tx, { ...queued, split }, now);
    // A track with a public leaderboard split runs every submission there too: a second, ordinary job of
    // the same submission. The submission's row points at the private-split job (its status, its quota).
    const publicSplit = publicLeaderboardSplit(track);
    const publicJob = publicSplit === null ? null : await enqueueJob(tx, { ...queued, split: publicSplit }, now);
    await tx('submissions').insert({
      id,
      team_id: teamId,
      track: track.name,
      split,
      sha256: accepted.sha256,
      bytes: accepted.bytes,
      format: accepted.format,
      filename: accepted.filename,
      description,
      baseline_name: submission.baselineName ?? null,
      phase: submission.phase ?? null,
      round: submission.round ?? null,
      job_id: job.id,
      public_job_id: publicJob?.id ?? null,
      created_at: now,
    });
  });
}

/** Whether a recorded submission uses this artifact (then a rejected upload of the same bytes keeps it). */
export async function isArtifactReferenced(db: Db, sha256: string): Promise<boolean> {
  return (await db('submissions').where('sha256', sha256).first('id')) !== undefined;
}

export interface SubmissionView {
  readonly id: string;
  readonly track: string;
  readonly createdAt: number;
  readonly jobState: JobState;
  /** The scored record (`results`), once the job is done. */
  readonly resultJson: string | null;
  readonly lastErrorCode: string | null;
  readonly lastErrorMessage: string | null;
}

/** The team's submission with its job, or undefined (no such id, or another team's). */
export async function findTeamSubmission(db: Db, teamId: number, id: string): Promise<SubmissionView | undefined> {
  const row = (await db('submissions').where({ id, team_id: teamId }).first('id', 'track', 'created_at', 'job_id')) as
    { id: string; track: string; created_at: number; job_id: number } | undefined;
  const job = row === undefined ? undefined : await getJob(db, row.job_id);
  if (row === undefined || job === undefined) return undefined;
  return {
    id: row.id,
    track: row.track,
    createdAt: row.created_at,
    jobState: job.state,
    resultJson: job.state === 'done' ? ((await getRecordJsonOfJob(db, job.id)) ?? null) : null,
    lastErrorCode: job.lastErrorCode,
    lastErrorMessage: job.lastErrorMessage,
  };
}
