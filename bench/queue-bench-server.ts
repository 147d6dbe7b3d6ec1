/**
 * For bench/queue-throughput.ts: a real competition server (createApp with the agent API, on an ephemeral
 * port of 127.0.0.1) over a fresh database (a SQLite file in a temp folder, or a new schema on PostgreSQL),
 * with a small track (fashion-mnist with a 16-image hidden split, so that scoring a completion is cheap and
 * the queue is what is measured), teams and agents; and the exactly-once check of a finished run.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import knexFactory from 'knex';
import { loadLabels } from '../harness/datasets/open-split.js';
import { resolveTrack } from '../harness/tracks/load-track.js';
import type { Track } from '../harness/tracks/track.js';
import { createAgent, createTeam } from '../server/auth/index.js';
import { openDatabase, type DatabaseConfig, type Db } from '../server/db/index.js';
import { createApp } from '../server/http/index.js';
import { UNLIMITED_QUOTA } from '../server/quota/index.js';
import { InputPackCache } from '../server/scoring/index.js';
import { ArtifactStore } from '../submissions/store/artifact-store.js';

export type BenchDatabase = 'sqlite' | 'postgres';

export const BENCH_TRACK = 'bench-queue';

/** fashion-mnist with 16 public and 16 hidden images (the hidden split starts where the real one does). */
export function benchTrack(hiddenCount: number): Track {
  const fashion = resolveTrack('fashion-mnist');
  return Object.freeze({
    ...fashion,
    name: BENCH_TRACK,
    splits: {
      val: { start: 0, count: hiddenCount, visibility: 'public' as const, description: 'bench: public' },
      test: { start: 2000, count: hiddenCount, visibility: 'hidden' as const, description: 'bench: hidden' },
    },
  });
}

export interface BenchServer {
  readonly url: string;
  readonly db: Db;
  readonly track: Track;
  /** The hidden split's ids, in order (a completion predicts exactly these). */
  readonly hiddenIds: readonly string[];
  readonly teamTokens: readonly string[];
  readonly agentTokens: readonly string[];
  /** Unexpected errors the app logged (a valid run has none). */
  readonly internalErrors: unknown[];
  close(): Promise<void>;
}

interface PoolEvents {
  on(event: 'acquireSuccess', listener: (eventId: number, resource: object) => void): void;
  on(event: 'release', listener: (resource: object) => void): void;
  removeListener(event: string, listener: (...args: never[]) => void): void;
}

/**
 * How long the server held database connections (knex's tarn pool: from acquire to release), summed over
 * connections. On SQLite there is one connection: held / wall is how busy the database made the server.
 */
export function connectionHeldTimer(db: Db): { stop(): number } {
  const pool = (db.client as { pool: PoolEvents }).pool;
  const since = new Map<object, number>();
  let heldMs = 0;
  const acquired = (_id: number, resource: object): void => void since.set(resource, performance.now());
  const released = (resource: object): void => {
    const t = since.get(resource);
    if (t !== undefined) heldMs += performance.now() - t;
    since.delete(resource);
  };
  pool.on('acquireSuccess', acquired);
  pool.on('release', released);
  return {
    stop() {
      pool.removeListener('acquireSuccess', acquired);
      pool.removeListener('release', released);
      return heldMs;
    },
  };
}

export async function startBenchServer(o: {
  database: BenchDatabase;
  postgresUrl: string;
  teams: number;
  agents: number;
  hiddenCount: number;
}): Promise<BenchServer> {
  const dir = mkdtempSync(path.join(tmpdir(), 'lpcv-bench-queue-'));
  const schema = `lpcv_bench_${randomBytes(6).toString('hex')}`;
  const config: DatabaseConfig =
    o.database === 'sqlite' ? { client: 'sqlite', filename: path.join(dir, 'lpcv.sqlite') } : { client: 'postgres', connectionString: o.postgresUrl, schema };
  const db = await openDatabase(config);
  const track = benchTrack(o.hiddenCount);
  const internalErrors: unknown[] = [];
  const app = createApp({
    db,
    store: new ArtifactStore(path.join(dir, 'artifacts')),
    tracks: new Map([[track.name, track]]),
    now: Date.now,
    quota: UNLIMITED_QUOTA,
    inputPacks: new InputPackCache(dir),
    logError: (e) => internalErrors.push(e),
  });
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const now = Date.now();
  const teamTokens: string[] = [];
  for (let i = 0; i < o.teams; i++) teamTokens.push((await createTeam(db, `bench-team-${i}`, now)).token);
  const agentTokens: string[] = [];
  for (let i = 0; i < o.agents; i++) agentTokens.push((await createAgent(db, `bench-agent-${i}`, now)).token);
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    db,
    track,
    hiddenIds: (await loadLabels(track, 'test')).ids,
    teamTokens,
    agentTokens,
    internalErrors,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve())));
      await db.destroy();
      if (o.database === 'postgres') {
        const admin = knexFactory({ client: 'pg', connection: o.postgresUrl, pool: { min: 0, max: 1 } });
        try {
          await admin.schema.dropSchemaIfExists(schema, true);
        } finally {
          await admin.destroy();
        }
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Every job done exactly once: `jobs` all done, one lease and one done event each (nothing was reclaimed
 * or retried), one result row each; and the agents' own lists of completed jobs are those jobs, each
 * reported once. Returns the problems found (none for a valid run).
 */
export async function exactlyOnceProblems(db: Db, expectedJobs: number, completedByAgents: readonly number[]): Promise<string[]> {
  const problems: string[] = [];
  const states = (await db('jobs').select('state').count({ n: '*' }).groupBy('state')) as Array<{ state: string; n: number | string }>;
  const byState = Object.fromEntries(states.map((s) => [s.state, Number(s.n)]));
  if (byState.done !== expectedJobs || Object.keys(byState).length !== 1)
    problems.push(`jobs by state ${JSON.stringify(byState)}, expected ${expectedJobs} done`);
  const events = (await db('job_events').select('job_id', 'to_state')) as Array<{ job_id: number; to_state: string }>;
  const count = (state: string): Map<number, number> => {
    const m = new Map<number, number>();
    for (const e of events) if (e.to_state === state) m.set(e.job_id, (m.get(e.job_id) ?? 0) + 1);
    return m;
  };
  for (const state of ['leased', 'done']) {
    const per = count(state);
    const wrong = [...per].filter(([, n]) => n !== 1);
    if (per.size !== expectedJobs || wrong.length > 0)
      problems.push(
        `${per.size} jobs with a ${state} event (expected ${expectedJobs}); jobs with more than one: ${wrong.map(([j]) => j).join(', ') || 'none'}`,
      );
  }
  const requeued = events.filter((e) => e.to_state === 'queued').length - expectedJobs;
  if (requeued !== 0) problems.push(`${requeued} extra transitions to queued (reclaimed or retried)`);
  const results = (await db('results').select('job_id')) as Array<{ job_id: number }>;
  if (results.length !== expectedJobs || new Set(results.map((r) => r.job_id)).size !== expectedJobs)
    problems.push(`${results.length} result rows for ${new Set(results.map((r) => r.job_id)).size} jobs, expected ${expectedJobs}`);
  const reported = new Set(completedByAgents);
  if (completedByAgents.length !== expectedJobs || reported.size !== expectedJobs)
    problems.push(`the agents completed ${completedByAgents.length} jobs, ${reported.size} distinct; expected ${expectedJobs}`);
  return problems;
}
