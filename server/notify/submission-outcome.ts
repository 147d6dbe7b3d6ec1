/**
 * The `submission.done` and `submission.failed` events (docs/webhooks.md), enqueued in the transaction that
 * finished the job, so that an event exists exactly when its outcome does. Only a submission's own job counts
 * (`submissions.job_id`: not its public-split twin nor a device's reference run), and never an organizer's
 * baseline.
 */
import type { Db } from '../db/index.js';
import type { Job } from '../queue/index.js';
import type { WebhookEvent } from './webhook-events.js';

/** Where events go (WebhookDeliverer.enqueue): inside the caller's transaction. */
export type EnqueueEvent = (event: WebhookEvent, tx: Db) => Promise<number>;

/** Enqueues the outcome of a finished job (done, failed, dead); nothing for another state, a job that is not a submission's own, or a baseline. */
export async function notifySubmissionOutcome(tx: Db, enqueue: EnqueueEvent | undefined, job: Job, score: number | null = null): Promise<void> {
  if (enqueue === undefined || (job.state !== 'done' && job.state !== 'failed' && job.state !== 'dead')) return;
  const sub = (await tx('submissions as s')
    .join('teams as t', 't.id', 's.team_id')
    .where('s.job_id', job.id)
    .first('s.id as id', 's.track as track', 's.phase as phase', 's.baseline_name as baseline', 't.name as team')) as
    { id: string; track: string; phase: string | null; baseline: string | null; team: string } | undefined;
  if (sub === undefined || sub.baseline !== null) return;
  const at = job.finishedAt ?? job.updatedAt;
  const base = { submissionId: sub.id, team: sub.team, track: sub.track, phase: sub.phase };
  // The finish time is part of the id: a submission run again later (an organizer's re-run) is notified again.
  const event: WebhookEvent =
    job.state === 'done'
      ? { id: `submission.done:${sub.id}:${at}`, name: 'submission.done', at, data: { ...base, score } }
      : {
          id: `submission.failed:${sub.id}:${at}`,
          name: 'submission.failed',
          at,
          data: { ...base, code: job.lastErrorCode, message: job.lastErrorMessage, fault: job.state === 'dead' ? 'infrastructure' : job.errorFault },
        };
  await enqueue(event, tx);
}
