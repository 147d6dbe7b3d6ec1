import express, { Router } from 'express';
import type { Request, Response } from 'express';
import { LpcvError } from '../../errors/lpcv-error.js';
import { listTeamsWithMembers } from '../accounts/team-membership.js';
import { parseTeamId, TEAM_ACTIONS, teamAction } from '../accounts/team-actions.js';
import { checkFormToken, CSRF_FIELD, viewerOf, type WebAuth } from '../web/web-auth.js';
import { adminTeamsPage } from './admin-teams-page.js';
import { pageContext, postedField, sendPage } from './page-kit.js';

/** The admin's teams page and its forms (docs/accounts.md). */
export function adminTeamsRoutes(auth: WebAuth): Router {
  const router = Router();
  const form = express.urlencoded({ extended: false, limit: 16 * 1024, parameterLimit: 10 });

  router.get('/admin/teams', async (req: Request, res: Response) => {
    const ctx = await pageContext(auth, req, res);
    if (ctx.viewer.kind === 'anonymous') return res.redirect(303, `/login?next=${encodeURIComponent(req.originalUrl)}`);
    if (ctx.viewer.kind !== 'admin') throw new LpcvError('LPCV_E_FORBIDDEN', 'the teams page is for admins only');
    sendPage(res, 200, adminTeamsPage(ctx, await listTeamsWithMembers(auth.db)));
  });
  for (const action of TEAM_ACTIONS) {
    router.post(`/admin/teams/:id/${action}`, form, async (req: Request<{ id: string }>, res: Response) => {
      checkFormToken(auth, req, postedField(req, CSRF_FIELD));
      if ((await viewerOf(auth, req)).kind !== 'admin') throw new LpcvError('LPCV_E_FORBIDDEN', `only an admin may ${action} a team`);
      const id = parseTeamId(req.params.id);
      await teamAction(auth.db, id, action, auth.now());
      res.redirect(303, `/admin/teams#team-${id}`);
    });
  }
  return router;
}
