/**
 * SQLite driver benchmark (not a test): knex on `sqlite3` (the server's driver, callbacks on libuv's thread
 * pool) against knex on `better-sqlite3` (synchronous calls on the main thread), for what the competition
 * server does with its database, through the project's own code (server/db, server/queue):
 *   (a) enqueue `--jobs` jobs, one after another;
 *   (b) lease + complete (a ~2 KB result JSON) until the queue is empty, with 1 and with `--workers` async
 *       workers in this process;
 *   (c) `--heartbeats` heartbeats of one leased job: latency p50/p99;
 *   (d) the leaderboard's read (submissions x done jobs x teams) over `--rows` done jobs: latency p50/p99;
 *   (e) `--holds` enqueues, each while another process holds the write lock for `--hold-ms` ms (busy_timeout);
 * and, for each phase, how late a 1 ms timer fired meanwhile (perf_hooks.monitorEventLoopDelay) and how busy
 * the main thread was: what a request streaming an upload in the same process would have waited.
 *
 * Each run gets a fresh database file under `--dir` (default: the OS temp dir; it should be on the disk the
 * server's data would be on, since each commit's fsync is part of what is measured). Both drivers get the
 * same pragmas: sqlite3 exactly the server's (server/db/dialect.ts), better-sqlite3 the values read back
 * from that connection. The machines are shared and noisy: the drivers alternate (A B, B A, ...) over
 * `--rounds` rounds after one unreported warm-up run each; read the medians and their ratio.
 *
 * better-sqlite3 is not a dependency. Install it for this without saving: `npm i --no-save better-sqlite3@12`
 * (it builds from source, ~70 s; 13.x needs Node 22). Without it, sqlite3 is measured alone.
 *
 *   node bin/run-ts.js bench/sqlite-drivers.ts [--rounds 6] [--jobs 500] [--workers 8] [--heartbeats 500]
 *        [--rows 3000] [--teams 50] [--reads 30] [--holds 3] [--hold-ms 200] [--dir /tmp]
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import {
  enqueuePhase,
  heartbeatPhase,
  leaderboardPhase,
  leaseCompletePhase,
  lockWaitPhase,
  openBenchDatabase,
  type Driver,
  type PhaseResult,
  type Pragmas,
} from './sqlite-drivers-workload.js';
import { optionInt, optionText } from './bench-args.js';

const sizes = {
  rounds: optionInt('rounds', 6),
  jobs: optionInt('jobs', 500),
  workers: optionInt('workers', 8),
  heartbeats: optionInt('heartbeats', 500),
  rows: optionInt('rows', 3000),
  teams: optionInt('teams', 50),
  reads: optionInt('reads', 30),
  holds: optionInt('holds', 3),
  holdMs: optionInt('hold-ms', 200),
};
const dir = optionText('dir', os.tmpdir());

const require = createRequire(import.meta.url);
function installedVersion(name: string): string | null {
  try {
    require(name); // also loads the native binding: a package without its build is not installed
    return (JSON.parse(readFileSync(require.resolve(`${name}/package.json`), 'utf8')) as { version: string }).version;
  } catch {
    return null;
  }
}
const versions: Record<Driver, string | null> = { sqlite3: installedVersion('sqlite3'), 'better-sqlite3': installedVersion('better-sqlite3') };
if (versions.sqlite3 === null) throw new Error('sqlite3 is not installed: run npm ci');
const drivers: Driver[] = versions['better-sqlite3'] === null ? ['sqlite3'] : ['sqlite3', 'better-sqlite3'];
if (drivers.length === 1) {
  console.log('better-sqlite3 is not installed, so only sqlite3 is measured. To compare, install it without saving it');
  console.log('(it builds from source, ~70 s; a later `npm ci` removes it again):  npm i --no-save better-sqlite3@12');
  console.log('');
}

type RunResult = Record<string, PhaseResult>;

async function runOnce(driver: Driver, like: Pragmas, scale: number): Promise<{ result: RunResult; pragmas: Pragmas; sqliteVersion: string }> {
  const n = (x: number): number => Math.max(1, Math.round(x * scale));
  const bench = await openBenchDatabase(driver, dir, like);
  try {
    const { db } = bench;
    const result: RunResult = {};
    result.enqueue = await enqueuePhase(db, n(sizes.jobs));
    result.lease1 = await leaseCompletePhase(db, n(sizes.jobs), 1);
    await enqueuePhase(db, n(sizes.jobs));
    result.leaseN = await leaseCompletePhase(db, n(sizes.jobs), sizes.workers);
    result.heartbeat = await heartbeatPhase(db, n(sizes.heartbeats));
    result.leaderboard = await leaderboardPhase(db, n(sizes.rows), sizes.teams, n(sizes.reads));
    result.lockWait = await lockWaitPhase(db, bench.filename, sizes.holds, sizes.holdMs);
    return { result, pragmas: bench.pragmas, sqliteVersion: bench.sqliteVersion };
  } finally {
    await bench.close();
  }
}

// The server's own connection settings, read back from a sqlite3 connection made by knexConfigFor.
const probe = await openBenchDatabase('sqlite3', dir, null);
const serverPragmas = probe.pragmas;
await probe.close();

const load0 = os.loadavg();
console.log(`SQLite drivers: ${drivers.join(' vs ')}, ${sizes.rounds} rounds (alternating order) after one warm-up run each`);
console.log(
  `jobs ${sizes.jobs}, workers 1 and ${sizes.workers}, heartbeats ${sizes.heartbeats}, leaderboard ${sizes.rows} rows x ${sizes.reads} reads, files under ${dir}`,
);
console.log(`node ${process.version}, knex ${installedVersion('knex')}, ${drivers.map((d) => `${d} ${versions[d]}`).join(', ')}`);
console.log(
  `cpus ${os.cpus().length} (${os.cpus()[0]?.model ?? '?'}), usable by this process ${os.availableParallelism()}, load average ${load0.map((l) => l.toFixed(2)).join(' ')}`,
);

const sqliteVersions: Partial<Record<Driver, string>> = {};
const pragmasSeen: Partial<Record<Driver, Pragmas>> = {};
for (const d of drivers) {
  const warm = await runOnce(d, serverPragmas, 0.2);
  sqliteVersions[d] = warm.sqliteVersion;
  pragmasSeen[d] = warm.pragmas;
}
for (const d of drivers) console.log(`${d.padEnd(14)} SQLite ${sqliteVersions[d]}, pragmas ${JSON.stringify(pragmasSeen[d])}`);
for (const d of drivers.slice(1)) {
  if (JSON.stringify(pragmasSeen[d]) !== JSON.stringify(pragmasSeen.sqlite3))
    throw new Error(`${d}: pragmas differ from sqlite3's: the comparison would not be fair`);
}

const runs: Record<Driver, RunResult[]> = { sqlite3: [], 'better-sqlite3': [] };
for (let r = 0; r < sizes.rounds; r++) {
  const order = r % 2 === 0 ? drivers : [...drivers].reverse();
  for (const d of order) {
    runs[d].push((await runOnce(d, serverPragmas, 1)).result);
    process.stderr.write(`round ${r + 1}/${sizes.rounds}: ${d} done\n`);
  }
}
const load1 = os.loadavg();

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

interface Metric {
  readonly phase: string;
  readonly label: string;
  readonly unit: string;
  readonly higherIsBetter: boolean;
  readonly pick: (p: PhaseResult) => number | undefined;
}
const phases: Array<[string, string]> = [
  ['enqueue', 'enqueue'],
  ['lease1', 'lease+complete, 1 worker'],
  ['leaseN', `lease+complete, ${sizes.workers} workers`],
  ['heartbeat', 'heartbeat'],
  ['leaderboard', `leaderboard read, ${sizes.rows} rows`],
  ['lockWait', `enqueue behind a ${sizes.holdMs} ms lock`],
];
const metrics: Metric[] = phases.flatMap(([phase, title]): Metric[] => [
  ...(phase === 'heartbeat' || phase === 'leaderboard' || phase === 'lockWait'
    ? [
        { phase, label: `${title}: p50`, unit: 'ms', higherIsBetter: false, pick: (p: PhaseResult) => p.p50Ms },
        { phase, label: `${title}: p99`, unit: 'ms', higherIsBetter: false, pick: (p: PhaseResult) => p.p99Ms },
      ]
    : [{ phase, label: `${title}: jobs/s`, unit: '/s', higherIsBetter: true, pick: (p: PhaseResult) => p.perSecond }]),
  { phase, label: '  loop delay p99', unit: 'ms', higherIsBetter: false, pick: (p) => p.loop.delayP99Ms },
  { phase, label: '  loop delay max', unit: 'ms', higherIsBetter: false, pick: (p) => p.loop.delayMaxMs },
  { phase, label: '  loop busy', unit: '', higherIsBetter: false, pick: (p) => p.loop.busy },
]);

const fmt = (x: number): string => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(3));
console.log('');
console.log(`${'median over rounds'.padEnd(42)} ${drivers.map((d) => d.padStart(14)).join(' ')}${drivers.length > 1 ? '   better/sqlite3' : ''}`);
const table: Array<Record<string, unknown>> = [];
for (const m of metrics) {
  const values = drivers.map((d) => median(runs[d].map((run) => m.pick(run[m.phase]!)!)));
  const ratio = values.length > 1 ? values[1]! / values[0]! : null;
  const verdict = ratio === null ? '' : m.unit === '' ? '' : (m.higherIsBetter ? ratio > 1 : ratio < 1) ? ' (better-sqlite3 better)' : ' (sqlite3 better)';
  table.push({ metric: m.label.trim(), unit: m.unit, ...Object.fromEntries(drivers.map((d, i) => [d, values[i]])), ratio });
  console.log(
    `${m.label.padEnd(42)} ${values.map((v) => fmt(v).padStart(14)).join(' ')}${ratio === null ? '' : `   ${ratio.toFixed(2).padStart(6)}${verdict}`}`,
  );
}
console.log('');
console.log(`load average at the end ${load1.map((l) => l.toFixed(2)).join(' ')}`);
console.log(JSON.stringify({ sizes, versions, sqliteVersions, pragmas: pragmasSeen, load: { start: load0, end: load1 }, table, runs }));
