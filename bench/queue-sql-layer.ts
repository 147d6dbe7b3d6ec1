/**
 * The queue at the SQL layer, side by side (not a test): lease + complete of `--jobs` queued jobs (2,000)
 * with 1 and 8 concurrent workers in this process, for ours (leaseJob + completeJob), graphile-worker 0.18
 * (its own worker pool, a no-op task) and pg-boss 12 (fetch + complete loops), on the same PostgreSQL, each
 * run in a fresh schema dropped after. No HTTP, no scoring: what each queue's statements cost.
 *
 * Rounds interleave the systems and worker counts (ours 1, ours 8, graphile 1, ...), and the table gives
 * each one's median jobs/s with the rounds' min and max: the machines are shared and noisy. The jobs are
 * queued before the clock starts; the clock stops when the last job is complete (graphile-worker: its
 * `job:success` event for the last one, so its runner's start-up, a few ms, is inside the time).
 *
 *   node bin/run-ts.js bench/queue-sql-layer.ts [--jobs 2000] [--rounds 3] [--teams 4] [--systems ours,graphile-worker,pg-boss]
 *        [--pg-url postgres://...]
 */
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import knexFactory from 'knex';
import { Logger, makeWorkerUtils, run, runMigrations } from 'graphile-worker';
import { PgBoss } from 'pg-boss';
import { openDatabase, withWriteTransaction } from '../server/db/index.js';
import { completeJob, enqueueJob, leaseJob } from '../server/queue/index.js';
import { latencyStats } from '../scoring/latency-stats.js';
import { optionInt, optionText } from './bench-args.js';

const jobs = optionInt('jobs', 2000);
const rounds = optionInt('rounds', 3);
const teams = optionInt('teams', 4);
const pgUrl = optionText('pg-url', process.env.LPCV_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test');
const WORKERS = [1, 8];
type System = 'ours' | 'graphile-worker' | 'pg-boss';
const ALL_SYSTEMS: System[] = ['ours', 'graphile-worker', 'pg-boss'];
const SYSTEMS = optionText('systems', ALL_SYSTEMS.join(',')).split(',') as System[];
for (const s of SYSTEMS) if (!ALL_SYSTEMS.includes(s)) throw new Error(`--systems: expected a comma-separated list of ${ALL_SYSTEMS.join(', ')}`);

async function dropSchema(schema: string): Promise<void> {
  const admin = knexFactory({ client: 'pg', connection: pgUrl, pool: { min: 0, max: 1 } });
  try {
    await admin.schema.dropSchemaIfExists(schema, true);
  } finally {
    await admin.destroy();
  }
}

/** jobs/s of one run. */
async function ours(workers: number, schema: string): Promise<number> {
  const db = await openDatabase({ client: 'postgres', connectionString: pgUrl, schema, poolMax: 10 });
  try {
    const now = Date.now();
    await withWriteTransaction(db, async (tx) => {
      for (let i = 0; i < jobs; i++)
        await enqueueJob(tx, { submissionId: `s-${i}`, team: `team-${i % teams}`, track: 'bench', targetKind: 'desktop', artifactFormat: 'onnx' }, now);
    });
    let completed = 0;
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: workers }, async (_, w) => {
        for (;;) {
          const l = await leaseJob(db, { agentId: `w${w}`, targetKinds: ['desktop'], leaseMs: 60_000 }, Date.now());
          if (l === null) return;
          if (!(await completeJob(db, { jobId: l.job.id, token: l.token }, Date.now())).ok) throw new Error('lost a lease');
          completed++;
        }
      }),
    );
    const s = (performance.now() - t0) / 1000;
    if (completed !== jobs) throw new Error(`ours: ${completed} of ${jobs} completed`);
    return jobs / s;
  } finally {
    await db.destroy();
  }
}

async function graphile(workers: number, schema: string): Promise<number> {
  const logger = new Logger(() => () => {});
  await runMigrations({ connectionString: pgUrl, schema, logger });
  const utils = await makeWorkerUtils({ connectionString: pgUrl, schema, logger });
  try {
    await utils.addJobs(Array.from({ length: jobs }, (_, i) => ({ identifier: 'bench', payload: { i } })));
  } finally {
    await utils.release();
  }
  let completed = 0;
  let finished!: () => void;
  const allDone = new Promise<void>((resolve) => (finished = resolve));
  const t0 = performance.now();
  const runner = await run({
    connectionString: pgUrl,
    schema,
    logger,
    concurrency: workers,
    noHandleSignals: true,
    pollInterval: 1000,
    maxPoolSize: 10,
    taskList: { bench: async () => {} },
  });
  runner.events.on('job:success', () => {
    if (++completed === jobs) finished();
  });
  await allDone;
  const s = (performance.now() - t0) / 1000;
  await runner.stop();
  return jobs / s;
}

async function pgBoss(workers: number, schema: string): Promise<number> {
  const boss = new PgBoss({ connectionString: pgUrl, schema, max: 10, supervise: false, schedule: false });
  boss.on('error', (e: unknown) => console.error('pg-boss:', e));
  await boss.start();
  try {
    await boss.createQueue('bench');
    for (let i = 0; i < jobs; i += 500)
      await boss.insert(
        'bench',
        Array.from({ length: Math.min(500, jobs - i) }, (_, k) => ({ data: { i: i + k } })),
      );
    let completed = 0;
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: workers }, async () => {
        for (;;) {
          const [job] = await boss.fetch('bench');
          if (job === undefined) return;
          await boss.complete('bench', job.id);
          completed++;
        }
      }),
    );
    const s = (performance.now() - t0) / 1000;
    if (completed !== jobs) throw new Error(`pg-boss: ${completed} of ${jobs} completed`);
    return jobs / s;
  } finally {
    await boss.stop({ graceful: false, close: true } as never);
  }
}

const RUN: Record<System, (workers: number, schema: string) => Promise<number>> = { ours, 'graphile-worker': graphile, 'pg-boss': pgBoss };

console.log(`queue at the SQL layer: lease + complete of ${jobs} jobs, ${WORKERS.join(' and ')} workers, ${rounds} interleaved round(s), PostgreSQL ${pgUrl}`);
console.log(
  `node ${process.version}, ${os.cpus().length} CPU(s); load average ${os
    .loadavg()
    .map((x) => x.toFixed(2))
    .join(' ')}`,
);
const results = new Map<string, number[]>();
for (let r = 0; r <= rounds; r++) {
  for (const system of SYSTEMS) {
    for (const workers of WORKERS) {
      const schema = `lpcv_sqlbench_${randomBytes(5).toString('hex')}`;
      try {
        const rate = await RUN[system](workers, schema);
        if (r === 0) continue; // warm-up round: not reported
        results.set(`${system}/${workers}`, [...(results.get(`${system}/${workers}`) ?? []), rate]);
        console.log(`  round ${r}: ${system.padEnd(15)} ${workers} worker(s): ${rate.toFixed(0)} jobs/s`);
      } finally {
        await dropSchema(schema);
      }
    }
  }
}
console.log('');
console.log('system           workers  jobs/s median (min - max)');
for (const system of SYSTEMS)
  for (const workers of WORKERS) {
    const xs = results.get(`${system}/${workers}`) ?? [];
    const s = latencyStats(xs);
    console.log(`${system.padEnd(15)}  ${String(workers).padStart(7)}  ${s.p50.toFixed(0)} (${s.min.toFixed(0)} - ${s.max.toFixed(0)})`);
  }
console.log(
  `load average after: ${os
    .loadavg()
    .map((x) => x.toFixed(2))
    .join(' ')}`,
);
console.log(JSON.stringify({ jobs, rounds, results: Object.fromEntries(results) }));
