/**
 * For the HTTP tests (not used by the server): the real app on an ephemeral port of 127.0.0.1, over a
 * migrated database, a temporary artifact store, the fashion-mnist track and a copy of it whose size limit
 * is tiny; two teams and an agent.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { resolveTrack } from '../../../harness/tracks/load-track.js';
import type { Track } from '../../../harness/tracks/track.js';
import { ArtifactStore } from '../../../submissions/store/artifact-store.js';
import { ADMIN_TOKEN_ENV, adminTokenFromEnv, createAgent, createTeam, type CreatedOwner } from '../../auth/index.js';
import type { Db } from '../../db/index.js';
import { createApp } from '../create-app.js';

export const T0 = 1_800_000_000_000;
/** The tiny-limit track: fashion-mnist with room for 100 bytes. */
export const TINY_LIMIT_BYTES = 100;

export interface TestApi {
  readonly url: string;
  readonly db: Db;
  readonly store: ArtifactStore;
  readonly teamA: CreatedOwner;
  readonly teamB: CreatedOwner;
  readonly agent: CreatedOwner;
  /** Unexpected errors the app logged (a test expects none). */
  readonly internalErrors: unknown[];
  /** Every file in the store (relative paths), temp files included. */
  storedFiles(): string[];
  close(): Promise<void>;
}

/** An app from createApp, listening on an ephemeral port of 127.0.0.1 until close. */
export interface ListeningApp {
  readonly url: string;
  close(): Promise<void>;
}

export async function listenForTests(app: ReturnType<typeof createApp>): Promise<ListeningApp> {
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve())));
    },
  };
}

/** The admin token of startTestApi's apps (LPCV_ADMIN_TOKEN's role). */
export const TEST_ADMIN_TOKEN = 'test-admin-token-0123456789abcdefghijklmnop';

export async function startTestApi(db: Db, prefix: string): Promise<TestApi> {
  const storeDir = mkdtempSync(path.join(tmpdir(), 'lpcv-http-store-'));
  const store = new ArtifactStore(storeDir);
  const fashion = resolveTrack('fashion-mnist');
  const tiny: Track = { ...fashion, name: 'tiny-limit', limits: { ...fashion.limits, maxArtifactBytes: TINY_LIMIT_BYTES } };
  const tracks = new Map<string, Track>([
    [fashion.name, fashion],
    [tiny.name, tiny],
  ]);
  let clock = T0;
  const internalErrors: unknown[] = [];
  const app = createApp({
    db,
    store,
    tracks,
    now: () => (clock += 1),
    logError: (e) => internalErrors.push(e),
    admin: adminTokenFromEnv({ [ADMIN_TOKEN_ENV]: TEST_ADMIN_TOKEN }),
  });
  const server = await listenForTests(app);
  return {
    url: server.url,
    db,
    store,
    teamA: await createTeam(db, `${prefix}-a`, T0),
    teamB: await createTeam(db, `${prefix}-b`, T0),
    agent: await createAgent(db, `${prefix}-agent`, T0),
    internalErrors,
    storedFiles: () =>
      readdirSync(storeDir, { recursive: true, withFileTypes: true })
        .filter((e) => e.isFile())
        .map((e) => path.relative(storeDir, path.join(e.parentPath, e.name)))
        .sort(),
    async close() {
      await server.close();
      rmSync(storeDir, { recursive: true, force: true });
    },
  };
}

export interface Part {
  readonly name: string;
  readonly value: string | Uint8Array;
  /** Sends the part as a file with this name. */
  readonly filename?: string;
}

/** POST /api/submissions with the parts in this order (FormData keeps it). */
export function postSubmission(api: TestApi, parts: readonly Part[], token?: string): Promise<Response> {
  const form = new FormData();
  for (const p of parts) {
    if (p.filename !== undefined || typeof p.value !== 'string') form.append(p.name, new Blob([p.value]), p.filename ?? 'upload');
    else form.append(p.name, p.value);
  }
  return fetch(`${api.url}/api/submissions`, { method: 'POST', body: form, headers: token === undefined ? {} : { authorization: `Bearer ${token}` } });
}

export function getSubmission(api: TestApi, id: string, token?: string): Promise<Response> {
  return fetch(`${api.url}/api/submissions/${encodeURIComponent(id)}`, { headers: token === undefined ? {} : { authorization: `Bearer ${token}` } });
}

export interface SubmissionRow {
  id: string;
  team_id: number;
  track: string;
  split: string;
  sha256: string;
  bytes: number;
  format: string;
  filename: string | null;
  description: string;
  job_id: number;
  created_at: number;
}
