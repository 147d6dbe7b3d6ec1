/**
 * The one test server (tests only, never the server itself): the real app from createApp, listening on an
 * ephemeral port of 127.0.0.1, over the suite's database (a SQLite file in a temporary folder or a fresh
 * PostgreSQL schema: databases.ts), an artifact store and input packs in a temporary data folder. Each
 * suite's own fixtures (teams, agents, seeded baselines) are a few lines over it: api-server.ts,
 * agent-api-server.ts, rescore-server.ts, device-api.ts.
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Express } from 'express';
import { sampleTrackScoredByMean } from '../../../test/testing/sample-track.js';
import type { Track } from '../../../harness/tracks/track.js';
import { ArtifactStore } from '../../../submissions/store/artifact-store.js';
import { ADMIN_TOKEN_ENV, adminTokenFromEnv, type AdminToken } from '../../auth/index.js';
import type { Logger } from '../../log/server-logger.js';
import type { Db } from '../../db/index.js';
import type { TestDatabase } from '../../db/testing/databases.js';
import type { DeviceHealthConfig } from '../../devices/index.js';
import type { QuotaConfig } from '../../quota/index.js';
import { InputPackCache } from '../../scoring/index.js';
import { storeReferenceModels, type ReferenceModels } from '../../baselines/reference-models.js';
import { createApp } from '../create-app.js';
import type { ModelCheck } from '../../../submissions/validate/check-pool.js';
import type { Mailer } from '../../notify/mailer.js';
import type { RefusalLimitConfig } from '../../submissions/refusal-limit.js';

/** Where the test servers' clocks start, and when their teams and agents are made (2027-01-15T08:00Z). */
export const T0 = 1_800_000_000_000;

/** The admin token of servers started with `admin: true` (LPCV_ADMIN_TOKEN's role). */
export const TEST_ADMIN_TOKEN = 'test-admin-token-0123456789abcdefghijklmnop';

export interface TestServerOptions {
  /** The suite's database, already created (useTestDatabase): a handle is opened here and closed by close. */
  readonly database: TestDatabase;
  /** The tracks served, by name (default: the sample track scored by the mean latency, sampleTrackScoredByMean). */
  readonly tracks?: readonly Track[];
  /** The app's clock (default: from T0, 1 ms later at every reading). */
  readonly now?: () => number;
  /** Submissions per team per track per UTC day (default: the server's, 5). */
  readonly quota?: QuotaConfig;
  /** Mount the agent API, with input packs in the data folder (default: not mounted, as createApp's). */
  readonly agentApi?: boolean;
  /** Accept TEST_ADMIN_TOKEN as the organizers' token (default: no admin access over HTTP). */
  readonly admin?: boolean;
  readonly deviceHealth?: DeviceHealthConfig;
  /**
   * Store each track's reference model (`protocol.reference`) and lease it with the track's jobs, as `lpcv
   * serve` does (storeReferenceModels). Default false: no lease carries a reference, and the store holds only
   * what the test submits.
   */
  readonly references?: boolean;
  /** Trials of a baseline's job when its track asks for more, as `lpcv serve --baseline-trials` (default: the track's). */
  readonly baselineTrials?: number;
  /** How uploads are checked (createApp's modelCheck; default: on the server's thread). */
  readonly modelCheck?: ModelCheck;
  /** The cap on refused uploads per team (default: the server's). */
  readonly refusalLimit?: RefusalLimitConfig;
  /** The account pages' mailer (default: the server's, which writes each message to stderr). */
  readonly mailer?: Mailer;
  /** The app's log (createApp's logger): request lines and job lines. Default: none. */
  readonly logger?: Logger;
  /** A bearer token for GET /metrics (createApp's metricsToken), as metricsTokenFromEnv makes it. */
  readonly metricsToken?: AdminToken | null;
}

export interface TestServer {
  /** http://127.0.0.1:<port>, no trailing slash. */
  readonly url: string;
  readonly db: Db;
  readonly store: ArtifactStore;
  /** The temporary folder of the store (artifacts/) and the input packs (inputs/). */
  readonly dataDir: string;
  readonly tracks: ReadonlyMap<string, Track>;
  /** The reference models stored and leased, by track (empty unless started with `references: true`). */
  readonly references: ReferenceModels;
  /** The app's clock. */
  readonly now: () => number;
  /** Unexpected errors the app logged (a test expects none). */
  readonly internalErrors: unknown[];
  /** Every file in the artifact store (paths relative to it, sorted), temporary files included. */
  storedFiles(): string[];
  /** Stops listening (open connections too), closes the database handle, removes the data folder. */
  close(): Promise<void>;
}

export async function startTestServer(options: TestServerOptions): Promise<TestServer> {
  const tracks = new Map((options.tracks ?? [sampleTrackScoredByMean()]).map((t) => [t.name, t]));
  let clock = T0;
  const now = options.now ?? ((): number => (clock += 1));
  const dataDir = mkdtempSync(path.join(tmpdir(), 'lpcv-test-server-'));
  const storeDir = path.join(dataDir, 'artifacts');
  mkdirSync(storeDir);
  const internalErrors: unknown[] = [];
  let db: Db | undefined;
  let server: Server | undefined;
  const close = async (): Promise<void> => {
    try {
      if (server !== undefined) await closeServer(server);
    } finally {
      // knex's destroy is idempotent: the suite's dispose closing the handle again is no trouble.
      await db?.destroy();
      rmSync(dataDir, { recursive: true, force: true });
    }
  };
  try {
    db = await options.database.open();
    const store = new ArtifactStore(storeDir);
    const references = options.references === true ? await storeReferenceModels(db, store, tracks.values()) : new Map();
    const app = createApp({
      db,
      store,
      tracks,
      now,
      logError: (e) => internalErrors.push(e),
      ...(options.quota === undefined ? {} : { quota: options.quota }),
      ...(options.agentApi === true ? { inputPacks: new InputPackCache(dataDir) } : {}),
      ...(options.admin === true ? { admin: adminTokenFromEnv({ [ADMIN_TOKEN_ENV]: TEST_ADMIN_TOKEN }) } : {}),
      ...(options.deviceHealth === undefined ? {} : { deviceHealth: options.deviceHealth }),
      ...(options.references === true ? { references } : {}),
      ...(options.baselineTrials === undefined ? {} : { baselineTrials: options.baselineTrials }),
      ...(options.modelCheck === undefined ? {} : { modelCheck: options.modelCheck }),
      ...(options.refusalLimit === undefined ? {} : { refusalLimit: options.refusalLimit }),
      ...(options.mailer === undefined ? {} : { mailer: options.mailer }),
      ...(options.logger === undefined ? {} : { logger: options.logger }),
      ...(options.metricsToken === undefined ? {} : { metricsToken: options.metricsToken }),
    });
    server = await listen(app);
    const { port } = server.address() as AddressInfo;
    return {
      url: `http://127.0.0.1:${port}`,
      db,
      store,
      dataDir,
      tracks,
      references,
      now,
      internalErrors,
      storedFiles: () => filesUnder(storeDir),
      close,
    };
  } catch (e) {
    await close();
    throw e;
  }
}

/** A JSON request with a bearer token (none when undefined) to a test server. */
export function call(server: { readonly url: string }, method: string, route: string, token: string | undefined, body?: unknown): Promise<Response> {
  const headers: Record<string, string> = token === undefined ? {} : { authorization: `Bearer ${token}` };
  if (body !== undefined) headers['content-type'] = 'application/json';
  return fetch(`${server.url}${route}`, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
}

function listen(app: Express): Promise<Server> {
  return new Promise((resolve, reject) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
    s.once('error', reject);
  });
}

async function closeServer(server: Server): Promise<void> {
  // fetch keeps connections alive: without this, close waits for them to time out.
  server.closeAllConnections();
  await new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve())));
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
    .sort();
}
