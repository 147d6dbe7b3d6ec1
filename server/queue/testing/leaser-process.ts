/**
 * A leasing agent in a process of its own, for the contract's exactly-once test: real separate connections
 * (and, for SQLite, separate processes contending for the file's write lock, as several server processes
 * would). Run as: node bin/run-ts.js server/queue/testing/leaser-process.ts '<json LeaserSpec>'
 * Prints "ready" once connected, waits for a line on stdin, then leases and completes until the queue is
 * empty and prints the leased job ids as one JSON line.
 */
import { createInterface } from 'node:readline';
import { openDatabase, type DatabaseConfig } from '../../db/index.js';
import { completeJob, leaseJob } from '../index.js';

export interface LeaserSpec {
  readonly database: DatabaseConfig;
  readonly agentId: string;
  readonly targetKind: string;
  readonly now: number;
}

const spec = JSON.parse(process.argv[2] ?? '') as LeaserSpec;
const db = await openDatabase(spec.database);
try {
  const lines = createInterface({ input: process.stdin });
  const go = new Promise<void>((resolve) => lines.once('line', () => resolve()));
  process.stdout.write('ready\n');
  await go;
  lines.close();
  const ids: number[] = [];
  for (;;) {
    const held = await leaseJob(db, { agentId: spec.agentId, targetKinds: [spec.targetKind], leaseMs: 60_000 }, spec.now);
    if (held === null) break;
    ids.push(held.job.id);
    const done = await completeJob(db, { jobId: held.job.id, token: held.token }, spec.now);
    if (!done.ok) throw new Error(`${spec.agentId}: lost the lease of job ${held.job.id} that it had just taken`);
  }
  process.stdout.write(`${JSON.stringify(ids)}\n`);
} finally {
  await db.destroy();
}
