/**
 * The workload of bench/sqlite-drivers.ts (not a test): the server's SQLite database opened through knex
 * with either driver, and the phases measured on it, all through the project's own code (migrateToLatest,
 * withDialect, enqueueJob, leaseJob, completeJob, heartbeatJob, the leaderboard's query).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { setImmediate as nextTurn } from 'node:timers/promises';
import knexFactory, { type Knex } from 'knex';
import { withDialect, type Db } from '../server/db/db.js';
import { knexConfigFor } from '../server/db/dialect.js';
import { migrateToLatest } from '../server/db/migrate.js';
import { completeJob, enqueueJob, heartbeatJob, leaseJob } from '../server/queue/index.js';

export type Driver = 'sqlite3' | 'better-sqlite3';

/** The connection settings that matter for speed and durability, as read back from a connection. */
export interface Pragmas {
  journal_mode: string;
  busy_timeout: number;
  synchronous: number;
  foreign_keys: number;
  cache_size: number;
}

/** The part of a better-sqlite3 `Database` used here (the package is optional: no types installed). */
interface BetterSqliteConnection {
  pragma(source: string, options: { simple: true }): unknown;
}

async function readPragmas(knex: Knex): Promise<Pragmas> {
  const one = async (name: keyof Pragmas): Promise<unknown> => {
    const rows = (await knex.raw(`PRAGMA ${name}`)) as Array<Record<string, unknown>>;
    return Object.values(rows[0] ?? {})[0];
  };
  return {
    journal_mode: String(await one('journal_mode')),
    busy_timeout: Number(await one('busy_timeout')),
    synchronous: Number(await one('synchronous')),
    foreign_keys: Number(await one('foreign_keys')),
    cache_size: Number(await one('cache_size')),
  };
}

/**
 * sqlite3: exactly the server's configuration (server/db/dialect.ts's knexConfigFor). better-sqlite3: the
 * same knex settings and one pooled connection, with every pragma set to the value the server's sqlite3
 * connection has (`like`). Its build's own defaults differ: synchronous=NORMAL in WAL mode
 * (SQLITE_DEFAULT_WAL_SYNCHRONOUS=1: no fsync per commit) and a 16 MB page cache instead of 2 MB.
 */
function knexConfig(driver: Driver, filename: string, like: Pragmas | null): Knex.Config {
  const server = knexConfigFor({ client: 'sqlite', filename });
  if (driver === 'sqlite3') return server;
  if (like === null) throw new Error('better-sqlite3 needs the sqlite3 connection pragmas to copy');
  return {
    ...server,
    client: 'better-sqlite3',
    connection: { filename },
    pool: {
      min: 1,
      max: 1,
      afterCreate(conn: BetterSqliteConnection, done: (err: Error | null, conn: BetterSqliteConnection) => void): void {
        try {
          const mode = conn.pragma('journal_mode = WAL', { simple: true });
          if (mode !== 'wal') throw new Error(`better-sqlite3: ${filename}: SQLite refused WAL mode (journal_mode is ${String(mode)})`);
          conn.pragma(`busy_timeout = ${like.busy_timeout}`, { simple: true });
          conn.pragma(`synchronous = ${like.synchronous}`, { simple: true });
          conn.pragma(`foreign_keys = ${like.foreign_keys}`, { simple: true });
          conn.pragma(`cache_size = ${like.cache_size}`, { simple: true });
          done(null, conn);
        } catch (e) {
          done(e as Error, conn);
        }
      },
    },
  };
}

export interface OpenBench {
  readonly db: Db;
  readonly filename: string;
  readonly pragmas: Pragmas;
  readonly sqliteVersion: string;
  close(): Promise<void>;
}

/** A fresh, migrated database file in a new directory under `dir`; close() removes it. */
export async function openBenchDatabase(driver: Driver, dir: string, like: Pragmas | null): Promise<OpenBench> {
  const home = mkdtempSync(path.join(dir, `lpcv-${driver}-`));
  const filename = path.join(home, 'lpcv.sqlite');
  const knex = knexFactory(knexConfig(driver, filename, like));
  try {
    await migrateToLatest(knex);
    const db = withDialect(knex, 'sqlite');
    const pragmas = await readPragmas(db);
    const [version] = (await db.raw('SELECT sqlite_version() AS v')) as Array<{ v: string }>;
    return {
      db,
      filename,
      pragmas,
      sqliteVersion: version?.v ?? '?',
      async close() {
        await knex.destroy();
        rmSync(home, { recursive: true, force: true });
      },
    };
  } catch (e) {
    await knex.destroy();
    rmSync(home, { recursive: true, force: true });
    throw e;
  }
}

/** What the main thread did while a phase ran. */
export interface LoopStats {
  /** How late a 1 ms timer fired (perf_hooks.monitorEventLoopDelay), in ms. */
  readonly delayP99Ms: number;
  readonly delayMaxMs: number;
  /** Event loop utilisation: the fraction of the phase the main thread was busy. */
  readonly busy: number;
}

const LOOP_TICK_MS = 1;

async function watchLoop<T>(work: () => Promise<T>): Promise<{ value: T; loop: LoopStats; ms: number }> {
  const delay = monitorEventLoopDelay({ resolution: LOOP_TICK_MS });
  const elu0 = performance.eventLoopUtilization();
  delay.enable();
  const t0 = performance.now();
  const value = await work();
  const ms = performance.now() - t0;
  delay.disable();
  const busy = performance.eventLoopUtilization(elu0).utilization;
  // The histogram holds the gaps between the timer's ticks: 1 ms on an idle loop. Lateness is the rest.
  const late = (ns: number): number => Math.max(0, ns / 1e6 - LOOP_TICK_MS);
  return { value, ms, loop: { delayP99Ms: late(delay.percentile(99)), delayMaxMs: late(delay.max), busy } };
}

const TEAMS = ['team-a', 'team-b', 'team-c', 'team-d'];
const TARGET = 'desktop';
const LEASE_MS = 60_000;

/** A ~2 KB scored record, the size of a completion's result JSON on the sample track. */
export function recordJson(i: number): string {
  const samples = Array.from({ length: 150 }, (_, k) => Number((0.12 + ((i * 31 + k * 17) % 97) / 1000).toFixed(4)));
  const record = {
    track: 'fashion-mnist',
    split: 'val',
    accuracy: { top1: 0.9 + (i % 50) / 1000, top5: 0.99 },
    latency: { unit: 'ms', p50: samples[75], ci95: [samples[70], samples[80]], count: samples.length, samples },
    energy: null,
    energyNote: 'no power sampler on this target',
    score: { formula: 'lpcv-classic', version: 1, value: 0.5 + (i % 100) / 1000, qualified: true },
    target: { device: 'bench-desktop', kind: TARGET },
    finishedAt: new Date(1_800_000_000_000 + i).toISOString(),
  };
  return JSON.stringify(record);
}

export interface PhaseResult {
  /** Operations per second (enqueue, lease+complete) or per-call latency percentiles (heartbeat, read). */
  readonly perSecond?: number;
  readonly p50Ms?: number;
  readonly p99Ms?: number;
  readonly loop: LoopStats;
}

/**
 * Every operation starts from a fresh macrotask (setImmediate), the way an HTTP request's handler does: a
 * driver that blocks the loop shows it as timer delay, instead of the workers' promise chains starving the
 * timers for a whole phase.
 */
export async function enqueuePhase(db: Db, jobs: number): Promise<PhaseResult> {
  const run = await watchLoop(async () => {
    for (let i = 0; i < jobs; i++) {
      await nextTurn();
      await enqueueJob(
        db,
        { submissionId: `s-${i}`, team: TEAMS[i % TEAMS.length]!, track: 'fashion-mnist', targetKind: TARGET, artifactFormat: 'onnx' },
        Date.now(),
      );
    }
  });
  return { perSecond: jobs / (run.ms / 1000), loop: run.loop };
}

/**
 * `workers` async agents in this process lease and complete until the queue is empty. Since migration 0008
 * the job row holds no record (the server writes it to `results` in the completion's transaction, which
 * needs a submission row these jobs do not have): the figures in docs/database.md were measured before,
 * with a ~2 KB record written into the job row by completeJob.
 */
export async function leaseCompletePhase(db: Db, jobs: number, workers: number): Promise<PhaseResult> {
  let completed = 0;
  const worker = async (w: number): Promise<void> => {
    for (;;) {
      await nextTurn();
      const leased = await leaseJob(db, { agentId: `agent-${w}`, targetKinds: [TARGET], leaseMs: LEASE_MS }, Date.now());
      if (leased === null) return;
      await nextTurn();
      const done = await completeJob(db, { jobId: leased.job.id, token: leased.token }, Date.now());
      if (!done.ok) throw new Error(`job ${leased.job.id}: completion refused (lease lost)`);
      completed++;
    }
  };
  const run = await watchLoop(() => Promise.all(Array.from({ length: workers }, (_, w) => worker(w))));
  if (completed !== jobs) throw new Error(`${workers} worker(s) completed ${completed} of ${jobs} jobs`);
  return { perSecond: jobs / (run.ms / 1000), loop: run.loop };
}

function percentile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

async function timedCalls(calls: number, call: (i: number) => Promise<void>): Promise<PhaseResult> {
  const ms: number[] = [];
  const run = await watchLoop(async () => {
    for (let i = 0; i < calls; i++) {
      await nextTurn();
      const t0 = performance.now();
      await call(i);
      ms.push(performance.now() - t0);
    }
  });
  ms.sort((a, b) => a - b);
  return { p50Ms: percentile(ms, 0.5), p99Ms: percentile(ms, 0.99), loop: run.loop };
}

/** One leased job's heartbeats, one after another, each with a progress report (as the agents send). */
export async function heartbeatPhase(db: Db, calls: number): Promise<PhaseResult> {
  await enqueueJob(db, { submissionId: 's-heartbeat', team: 'team-hb', track: 'fashion-mnist', targetKind: TARGET, artifactFormat: 'onnx' }, Date.now());
  const leased = await leaseJob(db, { agentId: 'agent-hb', targetKinds: [TARGET], leaseMs: LEASE_MS }, Date.now());
  if (leased === null) throw new Error('heartbeat phase: nothing to lease');
  return timedCalls(calls, async (i) => {
    const beat = await heartbeatJob(
      db,
      { jobId: leased.job.id, token: leased.token, leaseMs: LEASE_MS, progress: { phase: 'latency', fraction: i / calls, done: i, total: calls } },
      Date.now(),
    );
    if (!beat.ok) throw new Error('heartbeat phase: lease lost');
  });
}

/**
 * The leaderboard's read (server/leaderboard/build-leaderboard.ts: submissions joined with their jobs'
 * results and teams, the record JSON included) over `rows` done jobs of `teams` teams, inserted directly
 * (read-only part: the queue functions are not what is measured here). The results rows carry no raw
 * measurement (a real one is larger, but stored after the record, and SQLite reads a row's columns only as
 * far as the query needs). Parsing and ranking are left out: they are the same JavaScript whichever driver
 * fetched the rows. (Before migration 0008 the record was read from the job row: docs/database.md's figures.)
 */
export async function leaderboardPhase(db: Db, rows: number, teams: number, reads: number): Promise<PhaseResult> {
  const now = 1_800_000_000_000;
  const teamIds: number[] = [];
  for (let t = 0; t < teams; t++) {
    const [row] = (await db('teams')
      .insert({ name: `lb-team-${t}`, created_at: now })
      .returning('id')) as Array<{ id: number }>;
    teamIds.push(row!.id);
  }
  await db.transaction(async (tx) => {
    for (let start = 0; start < rows; start += 100) {
      const n = Math.min(100, rows - start);
      const jobRows = Array.from({ length: n }, (_, k) => {
        const i = start + k;
        return {
          submission_id: `lb-${i}`,
          team: `lb-team-${i % teams}`,
          track: 'fashion-mnist',
          target_kind: TARGET,
          artifact_format: 'onnx',
          state: 'done',
          attempts: 1,
          max_attempts: 5,
          run_after: now,
          created_at: now + i,
          updated_at: now + i,
          finished_at: now + i,
        };
      });
      const ids = (await tx('jobs').insert(jobRows).returning('id')) as Array<{ id: number }>;
      await tx('submissions').insert(
        ids.map(({ id }, k) => {
          const i = start + k;
          return {
            id: `lb-${i}`,
            team_id: teamIds[i % teams]!,
            track: 'fashion-mnist',
            split: 'val',
            sha256: 'ab'.repeat(32),
            bytes: 1234,
            format: 'onnx',
            job_id: id,
            created_at: now + i,
          };
        }),
      );
      await tx('results').insert(
        ids.map(({ id }, k) => ({
          job_id: id,
          submission_id: `lb-${start + k}`,
          record_json: recordJson(start + k),
          raw_json: null,
          created_at: now + start + k,
        })),
      );
    }
  });
  const query = (): Knex.QueryBuilder =>
    db('submissions as s')
      .join('results as r', 'r.job_id', 's.job_id')
      .join('teams as t', 't.id', 's.team_id')
      .where({ 's.track': 'fashion-mnist', 's.split': 'val' })
      .select('s.id', 's.team_id', 't.name as team', 's.baseline_name', 's.created_at', 'r.record_json');
  const first = (await query()) as unknown[];
  if (first.length !== rows) throw new Error(`leaderboard phase: expected ${rows} rows, got ${first.length}`);
  return timedCalls(reads, async () => {
    await query();
  });
}

/**
 * Another process (an admin command, a second server during a restart) holds the write lock for `holdMs`;
 * meanwhile this process enqueues a job, which waits for the lock (busy_timeout). sqlite3 waits on a
 * thread-pool thread; better-sqlite3 waits on the main thread, and nothing else in the process runs until
 * the lock is free. Timed: the enqueue, from the moment the other process holds the lock.
 */
export async function lockWaitPhase(db: Db, filename: string, holds: number, holdMs: number): Promise<PhaseResult> {
  const sqlite3Path = createRequire(import.meta.url).resolve('sqlite3');
  const holder = [
    `const sqlite3 = require(${JSON.stringify(sqlite3Path)});`,
    `const db = new sqlite3.Database(${JSON.stringify(filename)});`,
    `db.exec('PRAGMA busy_timeout=30000; BEGIN IMMEDIATE', (e) => {`,
    `  if (e) throw e;`,
    `  process.stdout.write('held\\n');`,
    `  setTimeout(() => db.exec('COMMIT', (e2) => { if (e2) throw e2; db.close(); }), ${holdMs});`,
    `});`,
  ].join('\n');
  const ms: number[] = [];
  const run = await watchLoop(async () => {
    for (let i = 0; i < holds; i++) {
      const child = spawn(process.execPath, ['-e', holder], { stdio: ['ignore', 'pipe', 'inherit'] });
      const exited = new Promise<void>((resolve, reject) =>
        child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`lock holder exited with ${code}`)))),
      );
      await new Promise<void>((resolve, reject) => {
        child.stdout.once('data', () => resolve());
        child.once('error', reject);
      });
      const t0 = performance.now();
      await enqueueJob(
        db,
        { submissionId: `s-locked-${i}`, team: 'team-lock', track: 'fashion-mnist', targetKind: TARGET, artifactFormat: 'onnx' },
        Date.now(),
      );
      ms.push(performance.now() - t0);
      await exited;
    }
  });
  ms.sort((a, b) => a - b);
  return { p50Ms: percentile(ms, 0.5), p99Ms: percentile(ms, 0.99), loop: run.loop };
}
