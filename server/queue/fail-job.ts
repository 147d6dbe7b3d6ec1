import { lockRows, withWriteTransaction, type Db } from '../db/index.js';
import { DEFAULT_BACKOFF, retryDelayMs, type BackoffPolicy } from './backoff.js';
import type { JobChange } from './complete-job.js';
import { recordJobEvents } from './job-events.js';
import { LEASE_LOST, toJob, type JobFault, type JobRow, type JobState } from './job.js';

/** Agents may send a whole stderr; the job row keeps the start of it. */
export const MAX_ERROR_MESSAGE_CHARS = 4000;

export interface FailArgs {
  readonly jobId: number;
  readonly token: string;
  /** `submission`: failed at once, never retried. `infrastructure`: retried with backoff, dead after max attempts. */
  readonly fault: JobFault;
  /** A stable error code (errors/codes.ts), e.g. LPCV_E_MODEL_TIMEOUT. */
  readonly code: string;
  readonly message: string;
  readonly backoff?: BackoffPolicy;
}

interface LeasedRow {
  attempts: number;
  max_attempts: number;
  leased_by: string | null;
}

/**
 * leased -> failed (submission's fault), queued again with run_after = now + backoff (infrastructure's
 * fault, attempts left) or dead (infrastructure's fault, no attempts left). Guarded by the lease token.
 */
export async function failJob(db: Db, args: FailArgs, now: number): Promise<JobChange> {
  return withWriteTransaction(db, async (tx) => {
    const held = (await lockRows(
      tx('jobs').select('attempts', 'max_attempts', 'leased_by').where({ id: args.jobId, lease_token: args.token, state: 'leased' }),
      tx.dialect,
      'wait',
    ).first()) as LeasedRow | undefined;
    if (held === undefined) return LEASE_LOST;

    let state: JobState;
    let runAfter: number | undefined;
    if (args.fault === 'submission') state = 'failed';
    else if (held.attempts >= held.max_attempts) state = 'dead';
    else {
      state = 'queued';
      runAfter = now + retryDelayMs(held.attempts, args.backoff ?? DEFAULT_BACKOFF);
    }
    const finished = state !== 'queued';

    const [row] = (await tx('jobs')
      .where({ id: args.jobId, state: 'leased' })
      .update({
        state,
        lease_token: null,
        last_error_code: args.code,
        last_error_message: args.message.slice(0, MAX_ERROR_MESSAGE_CHARS),
        error_fault: args.fault,
        updated_at: now,
        ...(finished ? { finished_at: now } : { run_after: runAfter }),
      })
      .returning('*')) as JobRow[];
    await recordJobEvents(
      tx,
      [
        {
          jobId: row.id,
          fromState: 'leased',
          toState: state,
          actor: held.leased_by ?? 'unknown',
          detail: { attempt: held.attempts, fault: args.fault, code: args.code, ...(runAfter === undefined ? {} : { runAfter }) },
        },
      ],
      now,
    );
    return { ok: true, job: toJob(row) };
  });
}
