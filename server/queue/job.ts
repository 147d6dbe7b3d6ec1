/** The job record as the rest of the server sees it. Times are epoch milliseconds. */
export type JobState = 'queued' | 'leased' | 'done' | 'failed' | 'dead';

/** Whose fault a failure was (errors/codes.ts): only `submission` counts against a team's quota. */
export type JobFault = 'submission' | 'infrastructure';

export interface Job {
  readonly id: number;
  readonly submissionId: string;
  readonly team: string;
  readonly track: string;
  readonly targetKind: string;
  /** The split it runs on; null on jobs queued before migration 0007 and on reference runs: its submission's split. */
  readonly split: string | null;
  /**
   * The format of the artifact it runs (onnx, tflite, zip: its submission's), which a device's declared
   * formats filter on. Null only on a job queued before migration 0008 without a submission row.
   */
  readonly artifactFormat: string | null;
  /** The only device that may lease it (a reference run, docs/devices.md), else null. */
  readonly pinnedDeviceId: number | null;
  readonly state: JobState;
  /** Higher first; 0 for every submission. For organizers' re-runs, not for teams to set. */
  readonly priority: number;
  /** Leases so far, counted when the lease is taken (a crashed agent still used up an attempt). */
  readonly attempts: number;
  readonly maxAttempts: number;
  /** Not leased before this time (a retry's backoff). */
  readonly runAfter: number;
  /** The agent holding (or that last held) the lease. The lease token itself is never part of a Job. */
  readonly leasedBy: string | null;
  readonly leaseExpiresAt: number | null;
  readonly heartbeatAt: number | null;
  readonly createdAt: number;
  /** Time of the last state change. */
  readonly updatedAt: number;
  /** Set on done, failed and dead. */
  readonly finishedAt: number | null;
  readonly lastErrorCode: string | null;
  readonly lastErrorMessage: string | null;
  readonly errorFault: JobFault | null;
  /** What its device last reported since the latest lease (heartbeatJob), or null. */
  readonly progress: JobProgress | null;
}

/** A running job's progress as its device last reported it: the phase, and how far into it. */
export interface JobProgress {
  readonly phase: string;
  /** In [0, 1]. */
  readonly fraction: number;
  readonly done?: number;
  readonly total?: number;
}

/** A zero-row guarded update: the token is wrong, or the lease expired and was reclaimed, or the job is finished. */
export interface LeaseLost {
  readonly ok: false;
  readonly reason: 'lease-lost';
}

export const LEASE_LOST: LeaseLost = Object.freeze({ ok: false, reason: 'lease-lost' });

/** A row of `jobs` as the drivers return it (BIGINT comes back as a number on both: see server/db/dialect.ts). */
export interface JobRow {
  id: number;
  submission_id: string;
  team: string;
  track: string;
  target_kind: string;
  split: string | null;
  artifact_format: string | null;
  pinned_device_id: number | null;
  state: JobState;
  priority: number;
  attempts: number;
  max_attempts: number;
  run_after: number;
  lease_token: string | null;
  leased_by: string | null;
  lease_expires_at: number | null;
  heartbeat_at: number | null;
  created_at: number;
  updated_at: number;
  finished_at: number | null;
  last_error_code: string | null;
  last_error_message: string | null;
  error_fault: JobFault | null;
  progress_json: string | null;
}

export function toJob(row: JobRow): Job {
  return {
    id: row.id,
    submissionId: row.submission_id,
    team: row.team,
    track: row.track,
    targetKind: row.target_kind,
    split: row.split,
    artifactFormat: row.artifact_format,
    pinnedDeviceId: row.pinned_device_id,
    state: row.state,
    priority: row.priority,
    attempts: row.attempts,
    maxAttempts: row.max_attempts,
    runAfter: row.run_after,
    leasedBy: row.leased_by,
    leaseExpiresAt: row.lease_expires_at,
    heartbeatAt: row.heartbeat_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    finishedAt: row.finished_at,
    lastErrorCode: row.last_error_code,
    lastErrorMessage: row.last_error_message,
    errorFault: row.error_fault,
    progress: row.progress_json === null ? null : (JSON.parse(row.progress_json) as JobProgress),
  };
}
