/**
 * The `device.offline` and `device.drift` events (docs/webhooks.md), found by the server's sweep: a device the
 * sweep just marked offline, and a device whose latest reference run left it drifted (once per reference run:
 * its finish time is in the event id, and runs older than the window are not announced late).
 */
import type { Db } from '../db/index.js';
import { listDevices, type SweptDevice } from '../devices/index.js';
import { PHASE_EVENT_WINDOW_MS } from './phase-events.js';
import type { EnqueueEvent } from './submission-outcome.js';

const iso = (t: number): string => new Date(t).toISOString();

export async function notifyDeviceEvents(db: Db, enqueue: EnqueueEvent, swept: readonly SweptDevice[], driftPct: number, now: number): Promise<void> {
  const offline = new Set(swept.filter((d) => d.state === 'offline').map((d) => d.id));
  for (const d of await listDevices(db, driftPct)) {
    if (offline.has(d.id)) {
      await enqueue(
        {
          id: `device.offline:${d.id}:${d.lastSeenAt}`,
          name: 'device.offline',
          at: now,
          data: { deviceId: d.id, name: d.name, kind: d.kind, lastSeenAt: iso(d.lastSeenAt) },
        },
        db,
      );
    }
    const drift = d.drift;
    if (drift !== null && drift.drifted && drift.latestAt > now - PHASE_EVENT_WINDOW_MS) {
      await enqueue(
        {
          id: `device.drift:${d.id}:${drift.latestAt}`,
          name: 'device.drift',
          at: drift.latestAt,
          data: { deviceId: d.id, name: d.name, track: drift.track, baseline: drift.baseline, changePct: drift.changePct, driftPct: drift.thresholdPct },
        },
        db,
      );
    }
  }
}
