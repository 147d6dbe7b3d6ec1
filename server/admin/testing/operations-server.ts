/**
 * For the organizer operations' tests (not used by the server): the app's parts that these tests need,
 * composed as createApp composes them (the submissions API, the admin operations' API and page, the pages'
 * error pages, the JSON errors), listening on an ephemeral port over the suite's database, with two
 * tracks: the sample track (one job per submission) and `fashion-public` (two: a public leaderboard split).
 * Jobs are run at the queue's level (lease, complete with a result, fail): what an agent does over HTTP
 * is the agent API's tests' business; here only the states matter.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import express from 'express';
import { fixtureBytes } from '../../../test/testing/onnx-fixtures.js';
import { sampleTrackScoredByMean } from '../../../test/testing/sample-track.js';
import { ArtifactStore } from '../../../submissions/store/artifact-store.js';
import { ADMIN_TOKEN_ENV, adminTokenFromEnv, createTeam, type CreatedOwner } from '../../auth/index.js';
import { withWriteTransaction, type Db } from '../../db/index.js';
import type { TestDatabase } from '../../db/testing/databases.js';
import { jsonErrorHandler, unknownApiRoute } from '../../http/error-handler.js';
import { adminOperationsRoutes } from '../../http/admin-operations-routes.js';
import { submissionsRoutes } from '../../http/submissions-routes.js';
import { TEST_ADMIN_TOKEN } from '../../http/testing/test-server.js';
import { adminOperationsPageRoute } from '../../pages/admin-operations-page-route.js';
import { pageRoutes } from '../../pages/page-routes.js';
import { completeJob, failJob, leaseJob, type Job } from '../../queue/index.js';
import { insertResult } from '../../scoring/results-table.js';
import { publicTrack } from '../../rescore/testing/rescore-server.js';
import type { QuotaConfig } from '../../quota/index.js';

export const T0 = 1_800_000_000_000;
export { TEST_ADMIN_TOKEN };

export interface OperationsServer {
  readonly url: string;
  readonly db: Db;
  readonly store: ArtifactStore;
  readonly dataDir: string;
  readonly internalErrors: unknown[];
  team(name: string): Promise<CreatedOwner>;
  /** Uploads tiny-conv.onnx as this team over the API; answers the submission id. */
  submit(team: CreatedOwner, track: string): Promise<string>;
  /** Leases the next queued job of the sample tracks' kind and completes it with a stand-in result, or fails it. */
  runNext(outcome: 'done' | 'failed' | 'dead'): Promise<Job>;
  close(): Promise<void>;
}

export interface OperationsServerOptions {
  /** Submissions per team per track per UTC day (default: unlimited). */
  readonly quota?: QuotaConfig;
  /** The data folder (artifacts/ in it); default a new temporary folder. Removed by close either way. */
  readonly dataDir?: string;
}

export async function startOperationsServer(database: TestDatabase, options: OperationsServerOptions = {}): Promise<OperationsServer> {
  const quota = options.quota ?? { perDay: 0 };
  const tracks = new Map([sampleTrackScoredByMean(), publicTrack()].map((t) => [t.name, t]));
  const trackList = [...tracks.values()];
  let clock = T0;
  const now = (): number => (clock += 1);
  const dataDir = options.dataDir ?? mkdtempSync(path.join(tmpdir(), 'lpcv-admin-ops-'));
  mkdirSync(path.join(dataDir, 'artifacts'));
  const store = new ArtifactStore(path.join(dataDir, 'artifacts'));
  const db = await database.open();
  const internalErrors: unknown[] = [];
  const logError = (e: unknown): void => void internalErrors.push(e);
  const auth = { db, key: Buffer.alloc(32, 7), admin: adminTokenFromEnv({ [ADMIN_TOKEN_ENV]: TEST_ADMIN_TOKEN }), now, secureCookies: false };

  const app = express();
  app.use(express.json({ limit: 256 * 1024 }));
  app.use(submissionsRoutes({ db, store, tracks, now, quota }));
  app.use(adminOperationsRoutes({ db, auth, tracks, store, now }));
  app.use(pageRoutes({ db, store, tracks, now, quota, auth, trackList, logError, extraRoutes: [adminOperationsPageRoute({ auth, tracks, trackList })] }));
  app.use('/api', unknownApiRoute);
  app.use(jsonErrorHandler(logError));
  const server = await new Promise<Server>((resolve, reject) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
    s.once('error', reject);
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const kind = sampleTrackScoredByMean().target.kind;

  return {
    url,
    db,
    store,
    dataDir,
    internalErrors,
    team: (name) => createTeam(db, name, T0),
    async submit(team, track) {
      const form = new FormData();
      form.append('track', track);
      form.append('file', new Blob([fixtureBytes('tiny-conv.onnx')]), 'tiny-conv.onnx');
      const res = await fetch(`${url}/api/submissions`, { method: 'POST', body: form, headers: { authorization: `Bearer ${team.token}` } });
      if (res.status !== 201) throw new Error(`upload answered ${res.status}: ${await res.text()}`);
      return ((await res.json()) as { id: string }).id;
    },
    async runNext(outcome) {
      const lease = await leaseJob(db, { agentId: 'ops-agent', targetKinds: [kind], leaseMs: 60_000 }, now());
      if (lease === null) throw new Error('no job to lease');
      const { job, token } = lease;
      if (outcome === 'done') {
        await withWriteTransaction(db, async (tx) => {
          await completeJob(tx, { jobId: job.id, token }, now());
          await insertResult(
            tx,
            { jobId: job.id, submissionId: job.submissionId, recordJson: JSON.stringify({ stand: 'in', job: job.id }), rawJson: '{}' },
            now(),
          );
        });
      } else {
        const fault = outcome === 'failed' ? 'submission' : 'infrastructure';
        // An infrastructure failure is retried: fail it on every attempt until it is dead.
        for (let l: typeof lease | null = lease; l !== null;) {
          const changed = await failJob(
            db,
            {
              jobId: job.id,
              token: l.token,
              fault,
              code: 'LPCV_E_WORKER_FAILED',
              message: 'stand-in',
              backoff: { baseMs: 0, capMs: 0, jitter: 0, random: () => 0 },
            },
            now(),
          );
          if (changed.ok && changed.job.state !== 'queued') break;
          l = await leaseJob(db, { agentId: 'ops-agent', targetKinds: [kind], leaseMs: 60_000 }, now());
          if (l?.job.id !== job.id) throw new Error('the retried job was not leased next');
        }
      }
      return job;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await db.destroy();
      rmSync(path.join(dataDir, 'artifacts'), { recursive: true, force: true });
      if (options.dataDir === undefined) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
