import { notifySubmissionOutcome, type EnqueueEvent } from '../notify/index.js';
import express, { Router } from 'express';
import type { Request, Response } from 'express';
import { LpcvError } from '../../errors/lpcv-error.js';
import { DEFAULT_LEASE_MS, deviceRequestSchema, failRequestSchema, heartbeatRequestSchema, leaseAnswer, leaseRequestSchema } from '../../harness/wire/index.js';
import type { DeviceAnswer, FailAnswer, HeartbeatAnswer, InputPackRef, LeaseAnswer } from '../../harness/wire/index.js';
import { withWriteTransaction, type Db } from '../db/index.js';
import { leaseForDevice, settleDeviceState } from '../devices/index.js';
import { failJob, heartbeatJob, leaseLostError } from '../queue/index.js';
import { logOf } from '../log/request-log.js';
import type { ServerMetrics } from '../metrics/server-metrics.js';
import { settled } from './job-settled.js';
import type { InputPackCache } from '../scoring/index.js';
import { adversarialSplitsOf } from '../scoring/input-pack-cache.js';
import { completeRoute } from './agent-complete.js';
import { findAgentDevice, registerDevice } from '../devices/agent-devices-table.js';
import { recordJobLogs } from '../submissions/job-logs.js';
import { requireHeldLease, submissionOfJob } from './agent-jobs.js';
import { requireAgent } from './agent-principal.js';
import { AGENT_JSON_LIMIT_BYTES, parseAgentBody, parseJobId } from './agent-request-schemas.js';
import { lookUpTrack, type TrackLookup } from '../tracks/track-lookup.js';
import { trackForJob } from '../baselines/baseline-trials.js';
import type { ReferenceModels } from '../baselines/reference-models.js';

export interface AgentRoutesDeps {
  readonly db: Db;
  readonly tracks: TrackLookup;
  readonly inputPacks: InputPackCache;
  readonly now: () => number;
  /** Each track's reference model, stored in the artifact store at start-up (storeReferenceModels): leased with its jobs. */
  readonly references?: ReferenceModels;
  /** Trials of a baseline's job (team `baseline`) when its track asks for more (`lpcv serve --baseline-trials`); default: the track's. */
  readonly baselineTrials?: number;
  /** Where a submission's outcome is announced (webhooks: server/notify), in the transaction that finishes its job; none when absent. */
  readonly notify?: EnqueueEvent;
  /** The server's metrics (server/metrics): queue waits, job durations, retries. */
  readonly metrics?: ServerMetrics;
}

/** On a lease's answer: the device's state after it (`busy`, or on a 204 `idle` or `draining`). */
export const DEVICE_STATE_HEADER = 'LPCV-Device-State';

/**
 * The device agents' API (docs/api.md, "Agent API"): devices, lease, job heartbeat, complete, fail. The
 * bodies and answers are the wire module's (harness/wire/), which the agents use too. Every job state change
 * goes through server/queue, guarded by the lease token. Mounted before the app's own JSON parser: each route
 * parses its body itself, the completion with a larger limit.
 */
export function agentRoutes(deps: AgentRoutesDeps): Router {
  const { db, tracks, inputPacks, now, references, baselineTrials, notify, metrics } = deps;
  const router = Router();
  const smallJson = express.json({ limit: AGENT_JSON_LIMIT_BYTES });

  router.post('/api/agent/devices', smallJson, async (req: Request, res: Response) => {
    const agent = await requireAgent(db, req, now());
    const body = parseAgentBody(deviceRequestSchema, req.body);
    const device = await registerDevice(db, { agentId: agent.ownerId, name: body.name, kind: body.kind, capabilities: body.capabilities ?? {} }, now());
    res.json({ deviceId: device.id, name: device.name, kind: device.kind } satisfies DeviceAnswer);
  });

  router.post('/api/agent/lease', smallJson, async (req: Request, res: Response) => {
    const agent = await requireAgent(db, req, now());
    const body = parseAgentBody(leaseRequestSchema, req.body);
    const device = await findAgentDevice(db, agent.ownerId, body.deviceId);
    // Another agent's device is "unknown" too.
    if (device === undefined)
      throw new LpcvError('LPCV_E_DEVICE_UNKNOWN', `agent ${agent.ownerName} has no device ${body.deviceId}: register it with POST /api/agent/devices`);
    // One job per device (409 LPCV_E_DEVICE_BUSY); a drained device finishes what it has and takes nothing
    // new. No job is 204 either way; the header tells a drained device why (docs/devices.md).
    const lease = await leaseForDevice(db, { deviceId: device.id, kind: device.kind, leaseMs: body.leaseMs ?? DEFAULT_LEASE_MS }, now());
    if (lease.kind === 'none') {
      res.setHeader(DEVICE_STATE_HEADER, lease.state);
      res.status(204).end();
      return;
    }
    const { job, token } = lease.leased;
    metrics?.leased(job, now());
    logOf(req)?.info(
      { jobId: job.id, deviceId: device.id },
      `job ${job.id} (${job.track}, team ${job.team}) leased by device ${device.name}, attempt ${job.attempts}`,
    );
    let answer: LeaseAnswer;
    try {
      // Never null while leased (jobs_lease_check).
      if (job.leaseExpiresAt === null) throw new LpcvError('LPCV_E_INTERNAL', `job ${job.id} is leased without a lease time`);
      const track = lookUpTrack(tracks, job.track);
      const reference = references?.get(track.name);
      const submission = await submissionOfJob(db, job.submissionId, job.id);
      const pack = await inputPacks.get(track, submission.split);
      // The track's adversarial sets of this split are data the agent cannot derive (docs/robustness.md).
      const robustnessInputs = await Promise.all(
        adversarialSplitsOf(track, submission.split).map(async (a): Promise<InputPackRef & { split: string }> => ({
          split: a.name,
          ...(await inputPacks.get(track, a.name)),
        })),
      );
      answer = leaseAnswer({
        job: {
          id: job.id,
          submissionId: job.submissionId,
          track: job.track,
          split: submission.split,
          leaseToken: token,
          leaseExpiresAt: job.leaseExpiresAt,
          attempt: job.attempts,
        },
        // A baseline's job may run fewer trials than the track's (lpcv serve --baseline-trials).
        track: await trackForJob(db, track, job.team, baselineTrials),
        artifact: { sha256: submission.sha256, bytes: submission.bytes, format: submission.format },
        inputs: pack,
        robustnessInputs,
        ...(reference === undefined ? {} : { reference }),
      });
    } catch (e) {
      // The server could not prepare the job (its track gone, the data set unreadable): not the
      // submission's fault, so the job goes back to the queue (or dies after its last attempt).
      const code = e instanceof LpcvError ? e.code : 'LPCV_E_INTERNAL';
      const message = e instanceof Error ? e.message : String(e);
      const t = now();
      const failed = await withWriteTransaction(db, async (tx) => {
        const changed = await failJob(
          tx,
          { jobId: job.id, token, fault: 'infrastructure', code, message: `the server could not prepare the job: ${message}` },
          t,
        );
        if (changed.ok) await notifySubmissionOutcome(tx, notify, changed.job);
        await settleDeviceState(tx, device.id, t);
        return changed;
      });
      // Counted and logged once committed, as the other changes are.
      if (failed.ok) settled(req, metrics, failed.job, code);
      throw e;
    }
    res.setHeader(DEVICE_STATE_HEADER, 'busy');
    res.json(answer);
  });

  router.post('/api/agent/jobs/:id/heartbeat', smallJson, async (req: Request<{ id: string }>, res: Response) => {
    const agent = await requireAgent(db, req, now());
    const jobId = parseJobId(req.params.id);
    const body = parseAgentBody(heartbeatRequestSchema, req.body);
    const held = await requireHeldLease(db, agent.ownerId, jobId, body.leaseToken);
    // The heartbeat is the device's sign of life too (last_seen_at; an offline device is busy again).
    const t = now();
    const beat = await withWriteTransaction(db, async (tx) => {
      const extended = await heartbeatJob(
        tx,
        { jobId, token: body.leaseToken, leaseMs: body.leaseMs ?? DEFAULT_LEASE_MS, ...(body.progress ? { progress: body.progress } : {}) },
        t,
      );
      if (extended.ok) await settleDeviceState(tx, held.deviceId, t);
      return extended;
    });
    if (!beat.ok) throw leaseLostError(jobId);
    res.json({ leaseExpiresAt: beat.leaseExpiresAt } satisfies HeartbeatAnswer);
  });

  router.post('/api/agent/jobs/:id/fail', smallJson, async (req: Request<{ id: string }>, res: Response) => {
    const agent = await requireAgent(db, req, now());
    const jobId = parseJobId(req.params.id);
    const body = parseAgentBody(failRequestSchema, req.body);
    const held = await requireHeldLease(db, agent.ownerId, jobId, body.leaseToken);
    const t = now();
    const changed = await withWriteTransaction(db, async (tx) => {
      const failed = await failJob(tx, { jobId, token: body.leaseToken, fault: body.fault, code: body.code, message: body.message }, t);
      if (failed.ok) {
        await recordJobLogs(tx, { jobId, attempt: failed.job.attempts, logs: body.logs }, t);
        await settleDeviceState(tx, held.deviceId, t);
        await notifySubmissionOutcome(tx, notify, failed.job);
      }
      return failed;
    });
    if (!changed.ok) throw leaseLostError(jobId);
    settled(req, metrics, changed.job, body.code);
    res.json({ state: changed.job.state } satisfies FailAnswer);
  });

  router.post(
    '/api/agent/jobs/:id/complete',
    ...completeRoute({ db, tracks, now, ...(notify !== undefined ? { notify } : {}), ...(metrics !== undefined ? { metrics } : {}) }),
  );

  return router;
}
