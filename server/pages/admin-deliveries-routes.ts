import { Router } from 'express';
import type { Request, Response } from 'express';
import { LpcvError } from '../../errors/lpcv-error.js';
import { listWebhookDeliveries } from '../notify/index.js';
import type { WebAuth } from '../web/web-auth.js';
import { adminDeliveriesPage } from './admin-deliveries-page.js';
import { pageContext, sendPage } from './page-kit.js';

const LIMIT = 200;

/** The admin's delivery log page (docs/webhooks.md, "The delivery log"). */
export function adminDeliveriesRoutes(auth: WebAuth): Router {
  const router = Router();
  router.get('/admin/notifications', async (req: Request, res: Response) => {
    const ctx = await pageContext(auth, req, res);
    if (ctx.viewer.kind === 'anonymous') return res.redirect(303, `/login?next=${encodeURIComponent(req.originalUrl)}`);
    if (ctx.viewer.kind !== 'admin') throw new LpcvError('LPCV_E_FORBIDDEN', 'the notifications page is for admins only');
    sendPage(res, 200, adminDeliveriesPage(ctx, await listWebhookDeliveries(auth.db, { limit: LIMIT }), LIMIT));
  });
  return router;
}
