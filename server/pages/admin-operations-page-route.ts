/**
 * The admin's operations page and its forms (`/admin/operations`, docs/api.md "Organizer operations"): the
 * same re-runs as the API, audited as 'admin (web)'. Each form's token is checked first, then the admin
 * login. Refusals are thrown: mount the router under the pages' error pages (page-routes' extraRoutes).
 */
import express, { Router } from 'express';
import type { Request, Response } from 'express';
import { LpcvError } from '../../errors/lpcv-error.js';
import type { Track } from '../../harness/tracks/track.js';
import { listRecentAdminAudit, rerunDeadJobs, rerunSubmission, rerunTrack, type RerunReport } from '../admin/index.js';
import { lookUpTrack, type TrackLookup } from '../tracks/track-lookup.js';
import { checkFormToken, CSRF_FIELD, viewerOf, type WebAuth } from '../web/web-auth.js';
import { adminOperationsPage } from './admin-operations-page.js';
import { pageContext, postedField, sendPage } from './page-kit.js';

export interface AdminOperationsPageDeps {
  readonly auth: WebAuth;
  readonly tracks: TrackLookup;
  /** The tracks the forms offer, in order. */
  readonly trackList: readonly Track[];
}

/** Audit entries the page shows. */
const RECENT_AUDIT = 50;

export function adminOperationsPageRoute(deps: AdminOperationsPageDeps): Router {
  const { auth } = deps;
  const db = auth.db;
  const router = Router();
  const form = express.urlencoded({ extended: false, limit: 16 * 1024, parameterLimit: 10 });

  router.get('/admin/operations', async (req: Request, res: Response) => {
    const ctx = await pageContext(auth, req, res);
    if (ctx.viewer.kind === 'anonymous') return res.redirect(303, `/login?next=${encodeURIComponent(req.originalUrl)}`);
    if (ctx.viewer.kind !== 'admin') throw new LpcvError('LPCV_E_FORBIDDEN', 'the operations page is for admins only');
    sendPage(res, 200, adminOperationsPage(ctx, deps.trackList, await listRecentAdminAudit(db, RECENT_AUDIT)));
  });

  const operations: Record<string, (req: Request) => Promise<RerunReport>> = {
    'rerun-submission': (req) => rerunSubmission(db, (postedField(req, 'submission') ?? '').trim(), by(req), auth.now()),
    'rerun-dead': (req) => {
      const track = postedField(req, 'track') ?? '';
      return rerunDeadJobs(db, track === '' ? {} : { track: lookUpTrack(deps.tracks, track).name }, by(req), auth.now());
    },
    'rerun-track': (req) => {
      const track = lookUpTrack(deps.tracks, postedField(req, 'track') ?? '');
      return rerunTrack(db, track.name, { includeBaselines: postedField(req, 'includeBaselines') === '1' }, by(req), auth.now());
    },
  };
  for (const [action, operation] of Object.entries(operations)) {
    router.post(`/admin/operations/${action}`, form, async (req: Request, res: Response) => {
      checkFormToken(auth, req, postedField(req, CSRF_FIELD));
      if ((await viewerOf(auth, req)).kind !== 'admin') throw new LpcvError('LPCV_E_FORBIDDEN', 'only an admin may re-run jobs');
      const report = await operation(req);
      res.redirect(303, `/admin/operations#audit-${report.auditId}`);
    });
  }
  return router;
}

function by(req: Request): { actor: string; reason: string } {
  return { actor: 'admin (web)', reason: (postedField(req, 'reason') ?? '').trim().slice(0, 1000) };
}
