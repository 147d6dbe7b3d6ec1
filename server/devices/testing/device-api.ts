/**
 * For the device-health tests (not used by the server): the real app (agent API, admin API, pages) on an
 * ephemeral port of 127.0.0.1 over a migrated database, with a clock the test sets (nothing sleeps), the
 * admin token, the fashion-mnist track with only its first baseline (`linear`) seeded through the real
 * intake, a team and two agents.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { resolveTrack } from '../../../harness/tracks/load-track.js';
import type { Track } from '../../../harness/tracks/track.js';
import { ArtifactStore } from '../../../submissions/store/artifact-store.js';
import { ADMIN_TOKEN_ENV, adminTokenFromEnv, createAgent, createTeam, type CreatedOwner } from '../../auth/index.js';
import { seedBaselines } from '../../baselines/seed-baselines.js';
import type { Db } from '../../db/index.js';
import { createApp } from '../../http/create-app.js';
import { listenForTests, TEST_ADMIN_TOKEN } from '../../http/testing/api-server.js';
import { UNLIMITED_QUOTA } from '../../quota/index.js';
import { InputPackCache } from '../../scoring/index.js';
import type { DeviceHealthConfig } from '../device-health-config.js';

export const T0 = 1_800_000_000_000;

export interface DeviceTestApi {
  readonly url: string;
  readonly db: Db;
  readonly track: Track;
  readonly team: CreatedOwner;
  readonly agentA: CreatedOwner;
  readonly agentB: CreatedOwner;
  readonly baselineSubmissionId: string;
  /** The app's clock: it reads what the test last set. */
  clock: number;
  readonly internalErrors: unknown[];
  close(): Promise<void>;
}

export async function startDeviceTestApi(db: Db, prefix: string, deviceHealth: DeviceHealthConfig): Promise<DeviceTestApi> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'lpcv-device-data-'));
  const store = new ArtifactStore(path.join(dataDir, 'artifacts'));
  const fashion = resolveTrack('fashion-mnist');
  const track: Track = { ...fashion, baselines: fashion.baselines!.slice(0, 1) };
  const internalErrors: unknown[] = [];
  const api = {
    clock: T0,
  };
  const now = (): number => api.clock;
  const app = createApp({
    db,
    store,
    tracks: new Map([[track.name, track]]),
    now,
    quota: UNLIMITED_QUOTA,
    inputPacks: new InputPackCache(dataDir),
    admin: adminTokenFromEnv({ [ADMIN_TOKEN_ENV]: TEST_ADMIN_TOKEN }),
    deviceHealth,
    logError: (e) => internalErrors.push(e),
  });
  const server = await listenForTests(app);
  const [seeded] = await seedBaselines(db, store, [track], now);
  return Object.assign(api, {
    url: server.url,
    db,
    track,
    team: await createTeam(db, `${prefix}-team`, T0),
    agentA: await createAgent(db, `${prefix}-agent-a`, T0),
    agentB: await createAgent(db, `${prefix}-agent-b`, T0),
    baselineSubmissionId: seeded!.submissionId,
    internalErrors,
    async close() {
      await server.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  });
}

/** A JSON request with a bearer token (none when undefined). */
export async function callApi(api: DeviceTestApi, method: string, route: string, token: string | undefined, body?: unknown): Promise<{ status: number; headers: Headers; body: unknown }> {
  const headers: Record<string, string> = token === undefined ? {} : { authorization: `Bearer ${token}` };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${api.url}${route}`, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text === '' ? undefined : (JSON.parse(text) as unknown) };
}
