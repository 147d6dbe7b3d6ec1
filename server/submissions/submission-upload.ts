/**
 * A submission's uploaded file and its job, for the viewers who may see them: its own team, or an admin
 * (GET /api/submissions/:id, the artifact downloads, the status page).
 */
import type { Db } from '../db/index.js';
import type { Viewer } from '../leaderboard/viewer.js';
import { SUBMISSION_ID } from './submissions-table.js';

export interface SubmissionUpload {
  readonly id: string;
  readonly track: string;
  readonly teamId: number;
  readonly jobId: number;
  readonly sha256: string;
  readonly bytes: number;
  readonly format: string;
  /** As uploaded, without any path; null for files recorded without a name. */
  readonly filename: string | null;
  /** When it was recorded (epoch ms). */
  readonly createdAt: number;
}

interface Row {
  id: string;
  track: string;
  team_id: number;
  job_id: number;
  sha256: string;
  bytes: number;
  format: string;
  filename: string | null;
  created_at: number | string;
}

/** The submission when this viewer may see it, else undefined: another team's is as unknown as none. */
export async function findSubmissionUpload(db: Db, id: string, viewer: Viewer): Promise<SubmissionUpload | undefined> {
  if (!SUBMISSION_ID.test(id) || viewer.kind === 'anonymous') return undefined;
  const row = (await db('submissions').where('id', id).first('id', 'track', 'team_id', 'job_id', 'sha256', 'bytes', 'format', 'filename', 'created_at')) as
    Row | undefined;
  if (row === undefined || (viewer.kind === 'team' && viewer.teamId !== row.team_id)) return undefined;
  return {
    id: row.id,
    track: row.track,
    teamId: row.team_id,
    jobId: row.job_id,
    sha256: row.sha256,
    bytes: row.bytes,
    format: row.format,
    filename: row.filename,
    createdAt: Number(row.created_at),
  };
}
