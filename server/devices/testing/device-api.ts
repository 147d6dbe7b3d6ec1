/**
 * For the device-health tests (not used by the server): the test server (server/http/testing/test-server.ts)
 * with the agent API, admin access and pages, a clock the test sets (nothing sleeps), the fashion-mnist
 * track with only its first baseline (`linear`) seeded through the real intake, a team and two agents.
 */
import { resolveTrack } from '../../../harness/tracks/load-track.js';
import type { Track } from '../../../harness/tracks/track.js';
import { createAgent, createTeam, type CreatedOwner } from '../../auth/index.js';
import { seedBaselines } from '../../baselines/seed-baselines.js';
import type { TestDatabase } from '../../db/testing/databases.js';
import { startTestServer, T0, type TestServer } from '../../http/testing/test-server.js';
import { UNLIMITED_QUOTA } from '../../quota/index.js';
import type { DeviceHealthConfig } from '../device-health-config.js';

export interface DeviceTestApi extends TestServer {
  readonly track: Track;
  readonly team: CreatedOwner;
  readonly agentA: CreatedOwner;
  readonly agentB: CreatedOwner;
  readonly baselineSubmissionId: string;
  /** The app's clock: it reads what the test last set. */
  clock: number;
}

export async function startDeviceTestApi(database: TestDatabase, prefix: string, deviceHealth: DeviceHealthConfig): Promise<DeviceTestApi> {
  const fashion = resolveTrack('fashion-mnist');
  const track: Track = { ...fashion, baselines: fashion.baselines!.slice(0, 1) };
  const settable = { clock: T0 };
  const server = await startTestServer({
    database,
    tracks: [track],
    now: () => settable.clock,
    quota: UNLIMITED_QUOTA,
    agentApi: true,
    admin: true,
    deviceHealth,
  });
  const [seeded] = await seedBaselines(server.db, server.store, [track], server.now);
  return Object.assign(settable, {
    ...server,
    track,
    team: await createTeam(server.db, `${prefix}-team`, T0),
    agentA: await createAgent(server.db, `${prefix}-agent-a`, T0),
    agentB: await createAgent(server.db, `${prefix}-agent-b`, T0),
    baselineSubmissionId: seeded!.submissionId,
  });
}

/** A JSON request with a bearer token (none when undefined). */
export async function callApi(
  api: DeviceTestApi,
  method: string,
  route: string,
  token: string | undefined,
  body?: unknown,
): Promise<{ status: number; headers: Headers; body: unknown }> {
  const headers: Record<string, string> = token === undefined ? {} : { authorization: `Bearer ${token}` };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${api.url}${route}`, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text === '' ? undefined : (JSON.parse(text) as unknown) };
}
