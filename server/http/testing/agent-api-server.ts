/**
 * For the agent API's HTTP tests (not used by the server): the real app with the agent API mounted, on an
 * ephemeral port of 127.0.0.1, over a migrated database, a temporary artifact store and data dir, the
 * fashion-mnist track; a team, two agents. Quotas are off (the tests submit many times).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { resolveTrack } from '../../../harness/tracks/load-track.js';
import type { Track } from '../../../harness/tracks/track.js';
import { ArtifactStore } from '../../../submissions/store/artifact-store.js';
import { createAgent, createTeam, type CreatedOwner } from '../../auth/index.js';
import type { Db } from '../../db/index.js';
import { UNLIMITED_QUOTA } from '../../quota/index.js';
import { InputPackCache } from '../../scoring/index.js';
import { createApp } from '../create-app.js';
import { listenForTests } from './api-server.js';

export const T0 = 1_800_000_000_000;

export interface AgentTestApi {
  readonly url: string;
  readonly db: Db;
  readonly track: Track;
  readonly dataDir: string;
  readonly team: CreatedOwner;
  readonly agentA: CreatedOwner;
  readonly agentB: CreatedOwner;
  /** The app's clock: moves 1 ms per reading. */
  now(): number;
  readonly internalErrors: unknown[];
  close(): Promise<void>;
}

/** `served`: the one track served (default fashion-mnist). */
export async function startAgentTestApi(db: Db, prefix: string, served?: Track): Promise<AgentTestApi> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'lpcv-agent-data-'));
  const store = new ArtifactStore(path.join(dataDir, 'artifacts'));
  const track = served ?? resolveTrack('fashion-mnist');
  let clock = T0;
  const now = (): number => (clock += 1);
  const internalErrors: unknown[] = [];
  const app = createApp({
    db,
    store,
    tracks: new Map([[track.name, track]]),
    now,
    quota: UNLIMITED_QUOTA,
    inputPacks: new InputPackCache(dataDir),
    logError: (e) => internalErrors.push(e),
  });
  const server = await listenForTests(app);
  return {
    url: server.url,
    db,
    track,
    dataDir,
    team: await createTeam(db, `${prefix}-team`, T0),
    agentA: await createAgent(db, `${prefix}-agent-a`, T0),
    agentB: await createAgent(db, `${prefix}-agent-b`, T0),
    now,
    internalErrors,
    async close() {
      await server.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A JSON request with a bearer token (none when undefined). */
export function call(api: AgentTestApi, method: string, route: string, token: string | undefined, body?: unknown): Promise<Response> {
  const headers: Record<string, string> = token === undefined ? {} : { authorization: `Bearer ${token}` };
  if (body !== undefined) headers['content-type'] = 'application/json';
  return fetch(`${api.url}${route}`, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
}
