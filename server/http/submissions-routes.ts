import { Router } from 'express';
import type { Request, Response } from 'express';
import { LpcvError } from '../../errors/lpcv-error.js';
import type { ArtifactStore } from '../../submissions/store/artifact-store.js';
import type { Db } from '../db/index.js';
import { checkQuota, retryAfterOf, type QuotaConfig } from '../quota/index.js';
import { receiveSubmissionForm } from './receive-submission-form.js';
import { statusOfJob, type SubmissionStatus } from './submission-status.js';
import { findTeamSubmission, isArtifactReferenced, newSubmissionId, recordSubmission, SUBMISSION_ID } from './submissions-table.js';
import { requireTeam } from './team-principal.js';
import type { TrackLookup } from './track-lookup.js';

export interface SubmissionsRoutesDeps {
  readonly db: Db;
  readonly store: ArtifactStore;
  readonly tracks: TrackLookup;
  readonly now: () => number;
  /** Submissions per team per track per UTC day (server/quota). */
  readonly quota: QuotaConfig;
}

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
  const { db, store, tracks, now, quota } = deps;
  const router = Router();

  router.post('/api/submissions', async (req: Request, res: Response) => {
    try {
      const team = await requireTeam(db, req, now());
      const id = newSubmissionId();
      await receiveSubmissionForm({
        req,
        tracks,
        store,
        isReferenced: (sha256) => isArtifactReferenced(db, sha256),
        // The quota is checked before the file is read (a refused upload stores nothing), and again in the
        // transaction that records it (two uploads racing at quota - 1 cannot both pass).
        beforeFile: (track) => checkQuota(db, quota, { teamId: team.ownerId, track: track.name }, now()),
        record: (form) => {
          const at = now();
          const subject = { teamId: team.ownerId, track: form.track.name };
          const submission = { id, teamId: team.ownerId, track: form.track, description: form.description, accepted: form.accepted };
          return recordSubmission(db, submission, at, (tx) => checkQuota(tx, quota, subject, at, { lock: true }));
        },
      });
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
