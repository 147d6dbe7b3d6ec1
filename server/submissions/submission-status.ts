import type { JobState } from '../queue/index.js';

/** What a participant sees of a submission's job. */
export type SubmissionStatus = 'queued' | 'running' | 'done' | 'failed';

/**
 * The job is the source of truth. `dead` (the infrastructure gave up) shows as failed too; its error code
 * tells the two apart and it never counts against the team's quota.
 */
export function statusOfJob(state: JobState): SubmissionStatus {
  switch (state) {
    case 'queued':
      return 'queued';
    case 'leased':
      return 'running';
    case 'done':
      return 'done';
    case 'failed':
    case 'dead':
      return 'failed';
  }
}
