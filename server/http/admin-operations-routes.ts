import { Router } from 'express';
import { requireAdmin } from './admin-principal.js';
import type { Request, Response } from 'express';
import { z } from 'zod';
import { LpcvError } from '../../errors/lpcv-error.js';
import { describeIssues } from '../../harness/schema-issues.js';
import type { ArtifactStore } from '../../submissions/store/artifact-store.js';
import { recordAdminAudit, rerunDeadJobs, rerunSubmission, rerunTrack, writeExport, type RerunReport } from '../admin/index.js';
import type { Db } from '../db/index.js';
import { lookUpTrack, type TrackLookup } from '../tracks/track-lookup.js';
import { type WebAuth } from '../web/web-auth.js';

export interface AdminOperationsRoutesDeps {
  readonly db: Db;
  readonly auth: WebAuth;
  readonly tracks: TrackLookup;
  readonly store: ArtifactStore;
  readonly now: () => number;
}

const reason = z.string().max(1000).optional();
const rerunSubmissionBody = z.strictObject({ reason });
const rerunDeadBody = z.strictObject({ track: z.string().min(1).max(200).optional(), reason });
const rerunTrackBody = z.strictObject({ includeBaselines: z.boolean().optional(), reason });

function parseBody<S extends z.ZodType>(schema: S, body: unknown): z.infer<S> {
  const parsed = schema.safeParse(body ?? {});
  if (!parsed.success)
    throw new LpcvError('LPCV_E_BAD_REQUEST', `the request body is malformed: ${describeIssues(parsed.error.issues, { topLevel: '(body)' })}`);
  return parsed.data;
}

const answer = (r: RerunReport): Record<string, unknown> => ({ requeued: r.requeued, skipped: r.skipped, auditId: r.auditId });

/**
 * The organizers' operations over the API (docs/api.md, "Organizer operations"): re-run one submission,
 * every dead job, every entry of a track (admin token as a bearer token only: a cookie could be carried by
 * a cross-site request; the admin page's forms carry a form token instead), and the bulk export as one zip
 * (the admin token, or an admin's login cookie: the page links to it; it changes nothing but the audit).
 */
export function adminOperationsRoutes(deps: AdminOperationsRoutesDeps): Router {
  const { db, auth, now } = deps;
  const router = Router();

  const by = (text: string | undefined): { actor: string; reason: string } => ({ actor: 'admin (api)', reason: text ?? '' });

  router.post('/api/admin/submissions/:id/rerun', async (req: Request<{ id: string }>, res: Response) => {
    await requireAdmin(auth, req, { change: true });
    const body = parseBody(rerunSubmissionBody, req.body);
    res.json(answer(await rerunSubmission(db, req.params.id, by(body.reason), now())));
  });

  router.post('/api/admin/jobs/rerun-dead', async (req: Request, res: Response) => {
    await requireAdmin(auth, req, { change: true });
    const body = parseBody(rerunDeadBody, req.body);
    const track = body.track === undefined ? {} : { track: lookUpTrack(deps.tracks, body.track).name };
    res.json(answer(await rerunDeadJobs(db, track, by(body.reason), now())));
  });

  router.post('/api/admin/tracks/:track/rerun', async (req: Request<{ track: string }>, res: Response) => {
    await requireAdmin(auth, req, { change: true });
    const body = parseBody(rerunTrackBody, req.body);
    const track = lookUpTrack(deps.tracks, req.params.track);
    res.json(answer(await rerunTrack(db, track.name, { includeBaselines: body.includeBaselines === true }, by(body.reason), now())));
  });

  router.get('/api/admin/export.zip', async (req: Request, res: Response) => {
    await requireAdmin(auth, req, { change: false });
    const at = now();
    const actor = req.headers.authorization === undefined ? 'admin (web)' : 'admin (api)';
    // Audited before the first byte: who took a copy of the data matters even if the download breaks off.
    await recordAdminAudit(db, { at, actor, action: 'export', detail: { via: 'GET /api/admin/export.zip' } });
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('Content-Type', 'application/zip');
    res.setHeader('Content-Disposition', `attachment; filename="lpcv-export-${new Date(at).toISOString().replace(/[:.]/g, '-')}.zip"`);
    try {
      await writeExport(db, deps.store, res, at);
    } catch (e) {
      // The client went away mid-download: nothing to answer, nothing wrong with the server.
      if ((e as { code?: unknown }).code === 'ERR_STREAM_PREMATURE_CLOSE') return;
      throw e;
    }
  });

  return router;
}
