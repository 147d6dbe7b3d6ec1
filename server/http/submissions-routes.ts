import { Router } from 'express';
import type { Request, Response } from 'express';
import { LpcvError } from '../../errors/lpcv-error.js';
import { retryAfterOf } from '../../errors/retry-after.js';
import { statusOfJob, type SubmissionStatus } from '../submissions/submission-status.js';
import { findTeamSubmission, SUBMISSION_ID } from '../submissions/submissions-table.js';
import { takeSubmission, type SubmissionIntakeDeps } from '../submissions/take-submission.js';
import { requireTeam } from './team-principal.js';

export type SubmissionsRoutesDeps = SubmissionIntakeDeps;

/** The answer of GET /api/submissions/:id. */
export interface SubmissionBody {
  id: string;
  status: SubmissionStatus;
  track: string;
  createdAt: number;
  result?: unknown;
  error?: { code: string; message: string };
}

/** POST /api/submissions and GET /api/submissions/:id (docs/api.md). */
export function submissionsRoutes(deps: SubmissionsRoutesDeps): Router {
  const { db, now } = deps;
  const router = Router();

  router.post('/api/submissions', async (req: Request, res: Response) => {
    try {
      const team = await requireTeam(db, req, now());
      const { id } = await takeSubmission(deps, { req, teamFor: () => Promise.resolve(team.ownerId) });
      res.status(201).json({ id });
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

  router.get('/api/submissions/:id', async (req: Request<{ id: string }>, res: Response) => {
    const team = await requireTeam(db, req, now());
    const id = req.params.id;
    const found = SUBMISSION_ID.test(id) ? await findTeamSubmission(db, team.ownerId, id) : undefined;
    // Another team's submission is "unknown" too: its existence is not this team's business.
    if (found === undefined) throw new LpcvError('LPCV_E_SUBMISSION_UNKNOWN', `no submission ${JSON.stringify(id)} for team ${team.ownerName}`);
    const status = statusOfJob(found.jobState);
    const body: SubmissionBody = { id: found.id, status, track: found.track, createdAt: found.createdAt };
    if (found.jobState === 'done' && found.resultJson !== null) body.result = JSON.parse(found.resultJson) as unknown;
    if (status === 'failed') {
      body.error = { code: found.lastErrorCode ?? 'LPCV_E_INTERNAL', message: found.lastErrorMessage ?? 'the job failed without a message' };
    }
    res.json(body);
  });

  return router;
}
