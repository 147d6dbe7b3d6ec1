/**
 * The device events on a real SQLite file: a device the sweep marks offline is announced once (again after
 * it comes back and goes silent again); phase transitions within the window are announced once each.
 */
import { describe, expect, it } from 'vitest';
import type { Competition } from '../../harness/competitions/competition.js';
import { createAgent } from '../auth/index.js';
import type { Db } from '../db/index.js';
import { sqliteTestDatabase } from '../db/testing/databases.js';
import { useTestDatabase } from '../db/testing/suite-hooks.js';
import { registerDevice } from '../devices/agent-devices-table.js';
import { sweepDevices } from '../devices/index.js';
import { notifyDeviceEvents } from './device-events.js';
import { notifyPhaseTransitions, PHASE_EVENT_WINDOW_MS } from './phase-events.js';
import type { WebhookEvent } from './webhook-events.js';

describe('device and phase events', () => {
  const database = sqliteTestDatabase();
  let db: Db;
  useTestDatabase(database, { setUp: async () => void (db = await database.open()) });
  const T = 1_900_000_000_000;

  it('announces a device gone offline once per silence', async () => {
    const events: WebhookEvent[] = [];
    const enqueue = async (e: WebhookEvent): Promise<number> => {
      if (!events.some((x) => x.id === e.id)) events.push(e);
      return 1;
    };
    const agent = await createAgent(db, 'events-agent', T);
    const device = await registerDevice(db, { agentId: agent.id, name: 'board-1', kind: 'ultra96-v2', capabilities: {} }, T);
    const sweep = async (now: number): Promise<void> => notifyDeviceEvents(db, enqueue, await sweepDevices(db, 60_000, now), 10, now);
    await sweep(T + 30_000);
    expect(events).toEqual([]);
    await sweep(T + 61_000);
    await sweep(T + 62_000);
    expect(events.map((e) => [e.name, e.data.deviceId, e.data.lastSeenAt])).toEqual([['device.offline', device.id, new Date(T).toISOString()]]);
    await registerDevice(db, { agentId: agent.id, name: 'board-1', kind: 'ultra96-v2', capabilities: {} }, T + 100_000);
    await sweep(T + 200_000);
    expect(events.map((e) => e.id)).toEqual([`device.offline:${device.id}:${T}`, `device.offline:${device.id}:${T + 100_000}`]);
  });

  it('announces phase transitions within the window, not older ones', async () => {
    const events: WebhookEvent[] = [];
    const enqueue = async (e: WebhookEvent): Promise<number> => {
      events.push(e);
      return 1;
    };
    const phase = {
      tracks: ['t'],
      board: 'private' as const,
      boardVisible: true,
      reveal: 'manual' as const,
      quota: { perDay: null, total: null, failed: null },
      rounds: [],
    };
    const c: Competition = {
      name: 'c',
      title: 'C',
      tracks: ['t'],
      phases: [
        { ...phase, name: 'old', title: 'Old', startAt: T - 3 * PHASE_EVENT_WINDOW_MS, endAt: T - 2 * PHASE_EVENT_WINDOW_MS },
        { ...phase, name: 'now', title: 'Now', startAt: T - 1000, endAt: T + 1000 },
      ],
      webhooks: [],
    };
    await notifyPhaseTransitions(db, enqueue, c, T);
    expect(events.map((e) => e.id)).toEqual([`phase.opened:c:now:${T - 1000}`]);
    await notifyPhaseTransitions(db, enqueue, c, T + 1000);
    expect(events.map((e) => e.id).at(-1)).toBe(`phase.closed:c:now:${T + 1000}`);
  });
});
