import type { Request } from 'express';
import { LpcvError } from '../../errors/lpcv-error.js';
import { viewerOf, type WebAuth } from '../web/web-auth.js';

/**
 * The admin API's check (docs/api.md): the admin token, or for a route that changes nothing an admin's login
 * cookie too. A route that changes something takes the bearer token only: a logged-in browser's cookie could
 * ride on a cross-site request (the pages' own forms carry a form token instead). LPCV_E_UNAUTHORIZED for no
 * admin at all or a cookie on a change, LPCV_E_FORBIDDEN for a team.
 */
export async function requireAdmin(auth: WebAuth, req: Request, o: { readonly change: boolean }): Promise<void> {
  const viewer = await viewerOf(auth, req);
  if (viewer.kind === 'anonymous') throw new LpcvError('LPCV_E_UNAUTHORIZED', 'this route needs the admin token: Authorization: Bearer <LPCV_ADMIN_TOKEN>');
  if (viewer.kind !== 'admin') throw new LpcvError('LPCV_E_FORBIDDEN', 'this route is for admins only');
  if (o.change && req.headers.authorization === undefined)
    throw new LpcvError('LPCV_E_UNAUTHORIZED', 'admin API routes that change something take the admin token as a bearer token, not a login cookie');
}
