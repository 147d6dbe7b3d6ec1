import express from 'express';
import type { Request, RequestHandler, Response } from 'express';
import { z } from 'zod';
import { LpcvError } from '../../errors/lpcv-error.js';
import type { ResultRecord } from '../../harness/result-record.js';
import { withWriteTransaction, type Db } from '../db/index.js';
import { completeJob, failJob, leaseLostError } from '../queue/index.js';
import { trackWithEffectiveFormula } from '../leaderboard/track-formulas.js';
import { leaseTokenSchema, parseCompletion, runLogsSchema } from '../../harness/wire/index.js';
import { scoreCompletion } from '../../harness/score/score-completion.js';
import { insertResult } from '../scoring/index.js';
import { LabelCache } from '../scoring/label-cache.js';
import { notifySubmissionOutcome, type EnqueueEvent } from '../notify/index.js';
import { recordReferenceResult, settleDeviceState } from '../devices/index.js';
import { recordJobLogs } from '../submissions/job-logs.js';
import { requireHeldLease, submissionOfJob } from './agent-jobs.js';
import { requireAgent } from './agent-principal.js';
import { COMPLETION_JSON_LIMIT_BYTES, parseAgentBody, parseJobId } from './agent-request-schemas.js';
import { lookUpTrack, type TrackLookup } from '../tracks/track-lookup.js';
import type { ServerMetrics } from '../metrics/server-metrics.js';
import { settled } from './job-settled.js';

export interface CompleteRouteDeps {
  readonly db: Db;
  readonly tracks: TrackLookup;
  readonly now: () => number;
  /** Announces the submission's outcome (server/notify) in the transaction that finishes its job. */
  readonly notify?: EnqueueEvent;
  /** The split labels kept between completions (default: one cache per route, i.e. per app). */
  readonly labels?: LabelCache;
  /** The server's metrics (server/metrics): job durations and retries. */
  readonly metrics?: ServerMetrics;
}

/** What the completion carries besides the completion itself: the lease token, and the run's output tails (not stored with the result). */
const tokenAndLogs = z.looseObject({ leaseToken: leaseTokenSchema, logs: runLogsSchema.optional() });

/**
 * POST /api/agent/jobs/:id/complete. The lease is checked first (a cheap read), then the completion is
 * validated (422 LPCV_E_PRED_MALFORMED naming the key; the job is left as it is, the agent may retry or
 * fail it), then scored with the server's own track and hidden labels. Predictions that do not fit the split
 * are the submission's fault: the job fails with the scorer's code and the answer is 200 {status: 'failed'}.
 * Otherwise the result row (record and raw samples) and completeJob go in one transaction. Either way the
 * run's output tails (`logs`, beside the completion) are stored with the job's change (job_logs).
 */
export function completeRoute(deps: CompleteRouteDeps): RequestHandler[] {
  const { db, tracks, now, notify } = deps;
  const labelCache = deps.labels ?? new LabelCache();
  const handler: RequestHandler = async (req: Request, res: Response): Promise<void> => {
    const agent = await requireAgent(db, req, now());
    const jobId = parseJobId(String(req.params.id));
    const { leaseToken, logs, ...rest } = parseAgentBody(tokenAndLogs, req.body);
    const held = await requireHeldLease(db, agent.ownerId, jobId, leaseToken);
    const { json, completion } = parseCompletion(rest);

    // A re-score's formula override applies to every result completed after it (docs/rescoring.md).
    const fileTrack = lookUpTrack(tracks, held.track);
    const track = await trackWithEffectiveFormula(db, fileTrack);
    const submission = await submissionOfJob(db, held.submissionId, jobId);
    if (completion.target.kind !== held.targetKind) {
      throw new LpcvError(
        'LPCV_E_PRED_MALFORMED',
        `the completion is malformed: target.kind: the job runs on ${held.targetKind}, not ${completion.target.kind}`,
      );
    }
    let record: ResultRecord;
    try {
      // Labels do not depend on the formula: cached by the track as looked up (label-cache.ts).
      const labels = await labelCache.load(fileTrack, submission.split);
      record = await scoreCompletion({
        track,
        split: submission.split,
        model: {
          path: submission.filename ?? `${submission.sha256}.${submission.format}`,
          sha256: submission.sha256,
          bytes: submission.bytes,
          format: submission.format,
        },
        completion,
        labels,
      });
    } catch (e) {
      if (!(e instanceof LpcvError) || e.fault !== 'submission') throw e;
      const t = now();
      const failed = await withWriteTransaction(db, async (tx) => {
        const changed = await failJob(tx, { jobId, token: leaseToken, fault: 'submission', code: e.code, message: e.message }, t);
        if (changed.ok) {
          await recordJobLogs(tx, { jobId, attempt: changed.job.attempts, logs }, t);
          await settleDeviceState(tx, held.deviceId, t);
          await notifySubmissionOutcome(tx, notify, changed.job);
        }
        return changed;
      });
      if (!failed.ok) throw leaseLostError(jobId);
      settled(req, deps.metrics, failed.job, e.code, { file: submission.filename });
      res.json({ status: 'failed', error: { code: e.code, message: e.message } });
      return;
    }

    const recordJson = JSON.stringify(record);
    const t = now();
    const done = await withWriteTransaction(db, async (tx) => {
      const changed = await completeJob(tx, { jobId, token: leaseToken }, t);
      if (!changed.ok) return null;
      await insertResult(tx, { jobId, submissionId: held.submissionId, recordJson, rawJson: JSON.stringify(json) }, t);
      await recordJobLogs(tx, { jobId, attempt: changed.job.attempts, logs }, t);
      await recordReferenceResult(tx, jobId, record, t);
      await settleDeviceState(tx, held.deviceId, t);
      await notifySubmissionOutcome(tx, notify, changed.job, record.score.value);
      return changed.job;
    });
    if (done === null) throw leaseLostError(jobId);
    settled(req, deps.metrics, done, null, { score: record.score.value, file: submission.filename });
    res.json({ status: 'done', result: record });
  };
  return [express.json({ limit: COMPLETION_JSON_LIMIT_BYTES }), handler];
}
