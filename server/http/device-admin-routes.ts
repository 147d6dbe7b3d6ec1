import { Router } from 'express';
import { requireAdmin } from './admin-principal.js';
import type { Request, Response } from 'express';
import type { Db } from '../db/index.js';
import { drainDevice, listDevices, parseDeviceId, undrainDevice, type DeviceHealth, type DeviceHealthConfig, type DrainChange } from '../devices/index.js';
import { type WebAuth } from '../web/web-auth.js';

export interface DeviceAdminRoutesDeps {
  readonly db: Db;
  readonly auth: WebAuth;
  readonly deviceHealth: DeviceHealthConfig;
  readonly now: () => number;
}

const iso = (t: number | null): string | null => (t === null ? null : new Date(t).toISOString());

/** A device as the admin API shows it: times as ISO 8601 (docs/api.md, "Devices (admin)"). */
export function deviceJson(d: DeviceHealth): Record<string, unknown> {
  return {
    id: d.id,
    name: d.name,
    kind: d.kind,
    agent: d.agent,
    state: d.state,
    lastSeenAt: iso(d.lastSeenAt),
    drained: d.drainedAt !== null,
    drainedAt: iso(d.drainedAt),
    drainedBy: d.drainedBy,
    capabilities: d.capabilities,
    currentJob: d.currentJob === null ? null : { ...d.currentJob, leaseExpiresAt: iso(d.currentJob.leaseExpiresAt) },
    drifted: d.drift?.drifted ?? false,
    drift: d.drift === null ? null : { ...d.drift, latestAt: iso(d.drift.latestAt) },
  };
}

const changeJson = (c: DrainChange): Record<string, unknown> => ({
  id: c.deviceId,
  state: c.state,
  drained: c.drainedAt !== null,
  drainedAt: iso(c.drainedAt),
  drainedBy: c.drainedBy,
});

/**
 * `GET /api/admin/devices` (the admin token, or an admin's login cookie: it changes nothing) and
 * `POST`/`DELETE /api/admin/devices/:id/drain` (the admin token only, like the other admin API routes: a
 * cookie could be carried by a cross-site request; the admin page's forms carry a form token instead).
 */
export function deviceAdminRoutes(deps: DeviceAdminRoutesDeps): Router {
  const { db, auth, now } = deps;
  const router = Router();

  router.get('/api/admin/devices', async (req: Request, res: Response) => {
    await requireAdmin(auth, req, { change: false });
    const devices = await listDevices(db, deps.deviceHealth.driftPct);
    res.setHeader('Cache-Control', 'no-store');
    res.json({
      devices: devices.map(deviceJson),
      offlineAfterMs: deps.deviceHealth.offlineAfterMs,
      driftPct: deps.deviceHealth.driftPct,
      referenceEveryMs: deps.deviceHealth.referenceEveryMs,
    });
  });

  router.post('/api/admin/devices/:id/drain', async (req: Request<{ id: string }>, res: Response) => {
    await requireAdmin(auth, req, { change: true });
    res.json(changeJson(await drainDevice(db, parseDeviceId(req.params.id), 'admin (api)', now())));
  });

  router.delete('/api/admin/devices/:id/drain', async (req: Request<{ id: string }>, res: Response) => {
    await requireAdmin(auth, req, { change: true });
    res.json(changeJson(await undrainDevice(db, parseDeviceId(req.params.id))));
  });

  return router;
}
