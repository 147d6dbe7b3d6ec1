/**
 * What the agent routes read about a leased job (reading `jobs` is fine; only server/queue writes it).
 */
import { LpcvError } from '../../errors/lpcv-error.js';
import type { ModelFormat } from '../../submissions/model-format.js';
import type { Db } from '../db/index.js';
import { leaseLostError } from '../queue/index.js';
import { leasedByDevice } from '../devices/index.js';

export interface HeldLease {
  readonly jobId: number;
  readonly submissionId: string;
  readonly track: string;
  readonly targetKind: string;
  readonly attempts: number;
  /** The device that leased the job (its `leased_by`), one of the calling agent's. */
  readonly deviceId: number;
}

interface HeldRow {
  id: number;
  submission_id: string;
  track: string;
  target_kind: string;
  attempts: number;
  leased_by: string | null;
}

/**
 * The job when this token holds its lease and one of this agent's devices leased it; else 409
 * LPCV_E_LEASE_LOST (a wrong or stale token, a finished or reclaimed job, another agent's job, no such
 * job). A cheap read before expensive work (scoring); the queue's guarded write still decides.
 */
export async function requireHeldLease(db: Db, agentId: number, jobId: number, token: string): Promise<HeldLease> {
  const row = (await db('jobs')
    .where({ id: jobId, lease_token: token, state: 'leased' })
    .first('id', 'submission_id', 'track', 'target_kind', 'attempts', 'leased_by')) as HeldRow | undefined;
  const deviceId = leasedByDevice(row?.leased_by ?? null);
  if (row === undefined || deviceId === undefined) throw leaseLostError(jobId);
  const device = await db('devices').where({ id: deviceId, agent_id: agentId }).first('id');
  if (device === undefined) throw leaseLostError(jobId);
  return { jobId: row.id, submissionId: row.submission_id, track: row.track, targetKind: row.target_kind, attempts: row.attempts, deviceId };
}

export interface JobSubmission {
  readonly split: string;
  readonly sha256: string;
  readonly bytes: number;
  readonly format: ModelFormat;
  readonly filename: string | null;
}

/**
 * The submission a job runs (every job of the submissions API has one), with the split of this job: a
 * submission on a track with a public leaderboard split has a job per split (jobs.split, migration 0007).
 */
export async function submissionOfJob(db: Db, submissionId: string, jobId: number): Promise<JobSubmission> {
  const row = (await db('submissions').where('id', submissionId).first('split', 'sha256', 'bytes', 'format', 'filename')) as JobSubmission | undefined;
  if (row === undefined) throw new LpcvError('LPCV_E_INTERNAL', `job of submission ${submissionId}: no such submission row`);
  const job = (await db('jobs').where('id', jobId).first('split')) as { split: string | null } | undefined;
  return { ...row, split: job?.split ?? row.split };
}
