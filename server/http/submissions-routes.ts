import { Router } from 'express';
import type { Request, Response } from 'express';
import { LpcvError } from '../../errors/lpcv-error.js';
import { retryAfterOf } from '../../errors/retry-after.js';
import type { ResultRecord } from '../../harness/result-record.js';
import type { StreamLog } from '../../harness/wire/index.js';
import type { Viewer } from '../leaderboard/viewer.js';
import { getJob } from '../queue/index.js';
import { servedTrack } from '../submissions/participant-settings.js';
import { sendUpload } from '../submissions/send-upload.js';
import { statusOfJob, type SubmissionStatus } from '../submissions/submission-status.js';
import { readSubmissionRun } from '../submissions/submission-run.js';
import { findSubmissionUpload, type SubmissionUpload } from '../submissions/submission-upload.js';
import { getRecordJsonOfJob } from '../scoring/results-table.js';
import { takeSubmission, type SubmissionIntakeDeps } from '../submissions/take-submission.js';
import { requireTeam } from './team-principal.js';

export type SubmissionsRoutesDeps = SubmissionIntakeDeps;

/** The answer of GET /api/submissions/:id (docs/api.md). */
export interface SubmissionBody {
  id: string;
  status: SubmissionStatus;
  track: string;
  createdAt: number;
  result?: unknown;
  /** Failed only: the job's last error, and whose fault it was (`dead` is the infrastructure's). */
  error?: { code: string; message: string; fault: 'submission' | 'infrastructure' };
  /** The team's own upload, and where to download it again. */
  file: { name: string | null; bytes: number; format: string; sha256: string; url: string };
  /** What ran it: the result's target once done, else the device that leased it (kind and name), else null. */
  target: Record<string, unknown> | null;
  /** Every state change of the job, oldest first. */
  events: Array<{ at: number; from: string | null; to: string; actor: string; detail: Record<string, unknown> | null }>;
  /** The output tails of each attempt that reported some, oldest first; null when the track hides them. */
  logs: Array<{ attempt: number; at: number; stdout: StreamLog | null; stderr: StreamLog | null }> | null;
  logsHidden: boolean;
}

/** POST /api/submissions, GET /api/submissions/:id and its artifact (docs/api.md). */
export function submissionsRoutes(deps: SubmissionsRoutesDeps): Router {
  const { db, now } = deps;
  const router = Router();

  router.post('/api/submissions', async (req: Request, res: Response) => {
    try {
      const team = await requireTeam(db, req, now());
      const { id } = await takeSubmission(deps, { req, teamFor: () => Promise.resolve(team.ownerId) });
      // Root-relative, like the pages' links: a client resolves them against the server's address.
      const status = `/api/submissions/${id}`;
      res.location(status);
      res.status(201).json({ id, status, page: `/submissions/${id}` });
    } catch (e) {
      // Whatever of the body is still unread is not wanted: close the connection after the error reply
      // instead of reading (maybe megabytes of) the rest.
      if (!res.headersSent) {
        res.setHeader('Connection', 'close');
        const retryAfter = retryAfterOf(e);
        if (retryAfter !== undefined) res.setHeader('Retry-After', String(retryAfter));
      }
      throw e;
    }
  });

  /** The team's own submission, or LPCV_E_SUBMISSION_UNKNOWN: another team's is "unknown" too, its existence is not this team's business. */
  const ownUpload = async (req: Request<{ id: string }>): Promise<{ viewer: Viewer; upload: SubmissionUpload }> => {
    const team = await requireTeam(db, req, now());
    const viewer: Viewer = { kind: 'team', teamId: team.ownerId, teamName: team.ownerName };
    const upload = await findSubmissionUpload(db, req.params.id, viewer);
    if (upload === undefined) throw new LpcvError('LPCV_E_SUBMISSION_UNKNOWN', `no submission ${JSON.stringify(req.params.id)} for team ${team.ownerName}`);
    return { viewer, upload };
  };

  router.get('/api/submissions/:id', async (req: Request<{ id: string }>, res: Response) => {
    const { viewer, upload } = await ownUpload(req);
    // Polled by every waiting client: the upload row and the job once each, then the rest at once.
    const job = await getJob(db, upload.jobId);
    // Every submission row is written with its job (recordSubmission).
    if (job === undefined) throw new LpcvError('LPCV_E_INTERNAL', `submission ${upload.id} has no job ${upload.jobId}`);
    const [resultJson, run] = await Promise.all([
      job.state === 'done' ? getRecordJsonOfJob(db, job.id) : undefined,
      readSubmissionRun(db, job, servedTrack(deps.tracks, upload.track), viewer),
    ]);
    const status = statusOfJob(job.state);
    const result = resultJson === undefined ? undefined : (JSON.parse(resultJson) as ResultRecord);
    const found = { id: upload.id, track: upload.track, createdAt: upload.createdAt, lastErrorCode: job.lastErrorCode, lastErrorMessage: job.lastErrorMessage };
    const body: SubmissionBody = {
      id: found.id,
      status,
      track: found.track,
      createdAt: found.createdAt,
      ...(result === undefined ? {} : { result }),
      file: { name: upload.filename, bytes: upload.bytes, format: upload.format, sha256: upload.sha256, url: `/api/submissions/${upload.id}/artifact` },
      target: result !== undefined ? { ...result.target } : run.device === null ? null : { kind: run.device.kind, device: run.device.name },
      events: run.events.map((e) => ({ at: e.at, from: e.fromState, to: e.toState, actor: e.actor, detail: e.detail })),
      logs: run.logs === null ? null : run.logs.map((l) => ({ attempt: l.attempt, at: l.at, stdout: l.stdout, stderr: l.stderr })),
      logsHidden: run.logsHidden,
    };
    if (status === 'failed') {
      body.error = {
        code: found.lastErrorCode ?? 'LPCV_E_INTERNAL',
        message: found.lastErrorMessage ?? 'the job failed without a message',
        fault: job.state === 'dead' || job.errorFault === 'infrastructure' ? 'infrastructure' : 'submission',
      };
    }
    res.json(body);
  });

  router.get('/api/submissions/:id/artifact', async (req: Request<{ id: string }>, res: Response) => {
    const { upload } = await ownUpload(req);
    await sendUpload(res, deps.store, upload);
  });

  return router;
}
