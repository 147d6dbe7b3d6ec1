import { Router } from 'express';
import { requireAdmin } from './admin-principal.js';
import type { Request, Response } from 'express';
import { LpcvError } from '../../errors/lpcv-error.js';
import type { Db } from '../db/index.js';
import { listWebhookDeliveries, type WebhookDelivery } from '../notify/index.js';
import { type WebAuth } from '../web/web-auth.js';

export interface WebhookAdminRoutesDeps {
  readonly db: Db;
  readonly auth: WebAuth;
  readonly now: () => number;
}

/** The log shows this many deliveries unless `?limit=` says otherwise, and never more than the maximum. */
export const DEFAULT_DELIVERY_LOG_LIMIT = 50;
export const MAX_DELIVERY_LOG_LIMIT = 500;

const iso = (t: number | null): string | null => (t === null ? null : new Date(t).toISOString());

/** A delivery as the admin API shows it: times as ISO 8601, no body (the event's data may be long). */
export function deliveryJson(d: WebhookDelivery): Record<string, unknown> {
  return {
    id: d.id,
    eventId: d.eventId,
    event: d.event,
    url: d.url,
    state: d.state,
    attempts: d.attempts,
    maxAttempts: d.maxAttempts,
    lastStatus: d.lastStatus,
    lastError: d.lastError,
    createdAt: iso(d.createdAt),
    deliveredAt: iso(d.deliveredAt),
    // Only a queued delivery has a next attempt; delivered and dead ones are final.
    nextAttemptAt: d.state === 'queued' ? iso(d.runAfter) : null,
  };
}

function parseLimit(value: unknown): number {
  if (value === undefined) return DEFAULT_DELIVERY_LOG_LIMIT;
  if (typeof value !== 'string' || !/^\d{1,6}$/.test(value) || Number(value) < 1 || Number(value) > MAX_DELIVERY_LOG_LIMIT)
    throw new LpcvError('LPCV_E_BAD_REQUEST', `limit must be a whole number from 1 to ${MAX_DELIVERY_LOG_LIMIT}`);
  return Number(value);
}

/**
 * `GET /api/admin/webhooks/deliveries?limit=N`: the latest webhook deliveries, newest first (docs/webhooks.md).
 * The admin token, or an admin's login cookie (it changes nothing), as `GET /api/admin/devices`.
 */
export function webhookAdminRoutes(deps: WebhookAdminRoutesDeps): Router {
  const { db, auth } = deps;
  const router = Router();

  router.get('/api/admin/webhooks/deliveries', async (req: Request, res: Response) => {
    await requireAdmin(auth, req, { change: false });
    const deliveries = await listWebhookDeliveries(db, { limit: parseLimit(req.query.limit) });
    res.setHeader('Cache-Control', 'no-store');
    res.json({ deliveries: deliveries.map(deliveryJson) });
  });

  return router;
}
