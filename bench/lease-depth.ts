/**
 * Lease cost against queue depth (not a test): how long one lease takes (leaseJob, the whole transaction,
 * median of `--samples`, in each of `--rounds` rounds: the median, min and max of the rounds' medians) with 100, 1,000, 10,000 and 100,000 jobs queued, on a SQLite file and on
 * PostgreSQL (a fresh schema, dropped after), and each depth's ratio to the 100-job case. The target: a
 * flat line (within 2x from 100 to 100,000).
 *
 * The queue: `--teams` teams (20), one target kind, priority 0, every team leased once before (so the fair
 * order reads `queue_teams`), jobs in created order spread round-robin over the teams. Each sample is a
 * real lease (committed), timed; then, untimed, the job goes back to queued so the depth stays fixed (a
 * bench fixture writing `jobs` directly, as tests backdate rows). The jobs are inserted directly too, in
 * chunks: enqueueJob one by one would take minutes at 100,000. PostgreSQL gets an ANALYZE after each fill
 * (autovacuum would do the same on a server); SQLite none (the server never runs one).
 *
 *   node bin/run-ts.js bench/lease-depth.ts [--samples 200] [--rounds 3] [--teams 20] [--database sqlite|postgres|both]
 *        [--max-depth 100000] [--pg-url postgres://...]
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os, { tmpdir } from 'node:os';
import path from 'node:path';
import knexFactory from 'knex';
import { latencyStats } from '../scoring/latency-stats.js';
import { openDatabase, type DatabaseConfig, type Db } from '../server/db/index.js';
import { completeJob, leaseJob } from '../server/queue/index.js';
import { optionInt, optionText } from './bench-args.js';

const samples = optionInt('samples', 200);
const rounds = optionInt('rounds', 3);
const teams = optionInt('teams', 20);
const maxDepth = optionInt('max-depth', 100_000);
const databaseArg = optionText('database', 'both');
if (!['sqlite', 'postgres', 'both'].includes(databaseArg)) throw new Error('--database: expected sqlite, postgres or both');
const databases = databaseArg === 'both' ? ['sqlite', 'postgres'] : [databaseArg];
const postgresUrl = optionText('pg-url', process.env.LPCV_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test');
const DEPTHS = [100, 1_000, 10_000, 100_000].filter((d) => d <= maxDepth);
const KIND = 'desktop';
const T0 = 1_800_000_000_000;
const CHUNK = 500;

let queued = 0;

/** Adds jobs until `depth` are queued: created in order, the teams taking turns. */
async function fillTo(db: Db, depth: number): Promise<void> {
  while (queued < depth) {
    const n = Math.min(CHUNK, depth - queued);
    const rows = Array.from({ length: n }, (_, i) => {
      const k = queued + i;
      return {
        submission_id: `bench-sub-${k}`,
        team: `team-${k % teams}`,
        track: 'fashion-mnist',
        target_kind: KIND,
        artifact_format: 'onnx',
        state: 'queued',
        priority: 0,
        attempts: 0,
        max_attempts: 5,
        run_after: T0,
        created_at: T0 + k,
        updated_at: T0 + k,
      };
    });
    await db('jobs').insert(rows);
    queued += n;
  }
  if (db.dialect === 'postgres') await db.raw('ANALYZE jobs');
}

/** Every team leased (and its job completed) once, so that the order's rotation reads queue_teams. */
async function leaseEveryTeamOnce(db: Db): Promise<void> {
  for (let i = 0; i < teams; i++) {
    const l = await leaseJob(db, { agentId: 'bench-warm', targetKinds: [KIND], leaseMs: 60_000 }, T0 + 1_000_000);
    if (l === null) throw new Error('nothing to lease while warming up');
    const done = await completeJob(db, { jobId: l.job.id, token: l.token }, T0 + 1_000_001);
    if (!done.ok) throw new Error('warm-up completion lost its lease');
    queued--;
  }
}

/** One timed lease; then the job goes back to queued (untimed), as it was. */
async function timedLease(db: Db, now: number): Promise<number> {
  const t0 = performance.now();
  const l = await leaseJob(db, { agentId: 'bench', targetKinds: [KIND], leaseMs: 60_000 }, now);
  const ms = performance.now() - t0;
  if (l === null) throw new Error('nothing to lease');
  await db('jobs')
    .where('id', l.job.id)
    .update({ state: 'queued', attempts: 0, lease_token: null, leased_by: null, lease_expires_at: null, heartbeat_at: null });
  return ms;
}

async function openBench(database: string): Promise<{ db: Db; close(): Promise<void> }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'lpcv-bench-lease-'));
  const schema = `lpcv_bench_${randomBytes(6).toString('hex')}`;
  const config: DatabaseConfig =
    database === 'sqlite' ? { client: 'sqlite', filename: path.join(dir, 'lpcv.sqlite') } : { client: 'postgres', connectionString: postgresUrl, schema };
  const db = await openDatabase(config);
  return {
    db,
    async close() {
      await db.destroy();
      if (database === 'postgres') {
        const admin = knexFactory({ client: 'pg', connection: postgresUrl, pool: { min: 0, max: 1 } });
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

console.log(`lease cost against queue depth: ${rounds} round(s) of ${samples} leases per depth, ${teams} teams, one target kind`);
console.log(
  `node ${process.version}, ${os.cpus().length} CPU(s) (${os.cpus()[0]?.model ?? 'unknown'}); load average ${os
    .loadavg()
    .map((x) => x.toFixed(2))
    .join(' ')}`,
);
const summary: Record<string, unknown>[] = [];
for (const database of databases) {
  const { db, close } = await openBench(database);
  queued = 0;
  try {
    await fillTo(db, teams);
    await leaseEveryTeamOnce(db);
    let base: number | undefined;
    for (const depth of DEPTHS) {
      await fillTo(db, depth);
      let now = T0 + 2_000_000;
      for (let i = 0; i < 20; i++) await timedLease(db, now++);
      const medians: number[] = [];
      const all: number[] = [];
      for (let r = 0; r < rounds; r++) {
        const ms: number[] = [];
        for (let i = 0; i < samples; i++) ms.push(await timedLease(db, now++));
        medians.push(latencyStats(ms).p50);
        all.push(...ms);
      }
      const p50 = latencyStats(medians).p50;
      const p90 = latencyStats(all).p90;
      base ??= p50;
      summary.push({ database, depth, p50, roundMedians: medians, ratio: p50 / base });
      console.log(
        `  ${database.padEnd(8)} ${String(depth).padStart(7)} queued: lease p50 ${p50.toFixed(3)} ms (rounds' medians ${medians.map((m) => m.toFixed(3)).join(', ')}; p90 of all ${p90.toFixed(3)}); ${(p50 / base).toFixed(2)}x the 100 case`,
      );
    }
  } finally {
    await close();
  }
}
console.log(
  `load average after: ${os
    .loadavg()
    .map((x) => x.toFixed(2))
    .join(' ')}`,
);
console.log(JSON.stringify({ samples, rounds, teams, summary }));
