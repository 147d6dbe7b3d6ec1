/**
 * What the agent routes read about a leased job, through server/queue (the owner of `jobs`).
 */
import { LpcvError } from '../../errors/lpcv-error.js';
import type { ModelFormat } from '../../submissions/model-format.js';
import type { Db } from '../db/index.js';
import { getJob, getLeasedJob, leaseLostError } from '../queue/index.js';
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

/**
 * The job when this token holds its lease and one of this agent's devices leased it; else 409
 * LPCV_E_LEASE_LOST (a wrong or stale token, a finished or reclaimed job, another agent's job, no such
 * job). A cheap read before expensive work (scoring); the queue's guarded write still decides.
 */
export async function requireHeldLease(db: Db, agentId: number, jobId: number, token: string): Promise<HeldLease> {
  const job = await getLeasedJob(db, jobId, token);
  const deviceId = leasedByDevice(job?.leasedBy ?? null);
  if (job === undefined || deviceId === undefined) throw leaseLostError(jobId);
  const device = await db('devices').where({ id: deviceId, agent_id: agentId }).first('id');
  if (device === undefined) throw leaseLostError(jobId);
  return { jobId: job.id, submissionId: job.submissionId, track: job.track, targetKind: job.targetKind, attempts: job.attempts, deviceId };
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
  const job = await getJob(db, jobId);
  return { ...row, split: job?.split ?? row.split };
}
