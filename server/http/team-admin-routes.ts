import { Router } from 'express';
import { requireAdmin } from './admin-principal.js';
import type { Request, Response } from 'express';
import { listTeamsWithMembers } from '../accounts/team-membership.js';
import { parseTeamId, TEAM_ACTIONS, teamAction } from '../accounts/team-actions.js';
import { type WebAuth } from '../web/web-auth.js';

const iso = (t: number | null): string | null => (t === null ? null : new Date(t).toISOString());

/**
 * `GET /api/admin/teams` (teams with their members; the admin token or an admin's cookie) and
 * `POST /api/admin/teams/:id/approve|disable|enable` (the admin token only, as the other admin changes).
 */
export function teamAdminRoutes(auth: WebAuth): Router {
  const router = Router();

  router.get('/api/admin/teams', async (req: Request, res: Response) => {
    await requireAdmin(auth, req, { change: false });
    res.setHeader('Cache-Control', 'no-store');
    res.json({
      teams: (await listTeamsWithMembers(auth.db)).map((t) => ({
        id: t.id,
        name: t.name,
        createdAt: iso(t.createdAt),
        approvedAt: iso(t.approvedAt),
        disabledAt: iso(t.disabledAt),
        members: t.members.map((m) => ({ email: m.email, role: m.role, joinedAt: iso(m.joinedAt) })),
      })),
    });
  });
  for (const action of TEAM_ACTIONS) {
    router.post(`/api/admin/teams/:id/${action}`, async (req: Request<{ id: string }>, res: Response) => {
      await requireAdmin(auth, req, { change: true });
      const id = parseTeamId(req.params.id);
      res.json({ id, action, changed: await teamAction(auth.db, id, action, auth.now()) });
    });
  }
  return router;
}
