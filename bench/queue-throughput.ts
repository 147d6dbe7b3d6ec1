/**
 * Queue throughput benchmark (not a test): how many jobs per second the competition server's queue hands
 * out and takes back (lease + complete) with many device agents at once, over real HTTP, against a real
 * server (createApp with the agent API, this process) on a SQLite file and on PostgreSQL (a fresh schema).
 *
 * Each run: a fresh database; `--jobs` submissions of tiny-conv over POST /api/submissions (spread over
 * `--teams` teams, so the lease's fair order has work to do) on a small track (fashion-mnist with a 16-image
 * hidden split: scoring a completion is cheap, so the queue is what is measured); then the agents, in their
 * own processes (one per agent by default), each with its own device and one job at a time: lease, then
 * complete at once with a valid completion (16 predictions, `--samples` latency samples), until the lease
 * answers 204. Each database gets an unreported warm-up run of each kind first. jobs/s = jobs / (wall time from the start signal to the last agent's report). At the end every
 * job must be done exactly once (one lease, one done event, one result; none lost, none twice).
 *
 * The machines are shared and noisy: 1 agent and `--agents` agents are measured side by side, interleaved
 * over `--rounds` rounds, and the ratio is what to read.
 *
 *   node bin/run-ts.js bench/queue-throughput.ts [--agents 8] [--jobs 400] [--database sqlite|postgres|both]
 *        [--rounds 2] [--samples 300] [--teams 4] [--processes <agents>] [--pg-url postgres://...] [--profile DIR] [--statements]
 *
 * `--profile DIR` writes a CPU profile of the server's main thread during each timed phase
 * (DIR/<database>-<agents>agents-r<round>.cpuprofile; open it in Chrome's DevTools).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { fixtureBytes } from '../test/testing/onnx-fixtures.js';
import { latencyStats } from '../scoring/latency-stats.js';
import { BENCH_TRACK, connectionHeldTimer, exactlyOnceProblems, startBenchServer, type BenchDatabase, type BenchServer } from './queue-bench-server.js';
import type { AgentReport, AgentsStart } from './queue-bench-agent.js';
import { optionInt, optionText } from './bench-args.js';

const manyAgents = optionInt('agents', 8);
const jobs = optionInt('jobs', 400);
const rounds = optionInt('rounds', 2);
const samples = optionInt('samples', 300);
const teams = optionInt('teams', 4);
const processes = Math.min(optionInt('processes', manyAgents), manyAgents);
const hiddenCount = 16;
const databaseArg = optionText('database', 'both');
if (!['sqlite', 'postgres', 'both'].includes(databaseArg)) throw new Error('--database: expected sqlite, postgres or both');
const databases: BenchDatabase[] = databaseArg === 'both' ? ['sqlite', 'postgres'] : [databaseArg as BenchDatabase];
const profileDir = optionText('profile', '');
/** `--statements`: print each run's statements per job, by statement (SQL text, whitespace collapsed). */
const listStatements = process.argv.includes('--statements');
const postgresUrl = optionText('pg-url', process.env.LPCV_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test');

const AGENT_FILE = fileURLToPath(new URL('./queue-bench-agent.ts', import.meta.url));
const TSX_LOADER = import.meta.resolve('tsx');
const MODEL = fixtureBytes('tiny-conv.onnx');

interface RunResult {
  readonly database: BenchDatabase;
  readonly agents: number;
  readonly jobsPerSecond: number;
  readonly wallMs: number;
  readonly submitPerSecond: number;
  readonly leaseMs: number[];
  readonly completeMs: number[];
  /** The server process's main thread: busy fraction of the run (event loop utilisation). */
  readonly serverLoopBusy: number;
  /** CPU time over wall time: the server process (main thread, libuv pool, PostgreSQL client) and all agents. */
  readonly serverCpu: number;
  readonly agentsCpu: number;
  /** Database statements the server ran per job (knex 'query' events during the timed phase). */
  readonly queriesPerJob: number;
  /** The whole machine's CPU busy fraction (all cores, /proc/stat): server, agents, PostgreSQL and anything else. */
  readonly machineBusy: number;
  /** Database connections held (acquire to release, summed over connections) over wall time. */
  readonly connectionsHeld: number;
}

/** Queues the jobs over the submissions API, 4 uploads at a time, the teams taking turns. */
async function submitAll(server: BenchServer, jobs: number): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let i = next++; i < jobs; i = next++) {
      const form = new FormData();
      form.append('track', BENCH_TRACK);
      form.append('file', new Blob([MODEL]), `tiny-conv-${i}.onnx`);
      const res = await fetch(`${server.url}/api/submissions`, {
        method: 'POST',
        body: form,
        headers: { authorization: `Bearer ${server.teamTokens[i % teams]!}` },
      });
      if (res.status !== 201) throw new Error(`submission ${i} refused: ${res.status} ${await res.text()}`);
      await res.arrayBuffer();
    }
  };
  await Promise.all(Array.from({ length: 4 }, worker));
}

function message<T>(child: ChildProcess, type: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const onMessage = (m: { type: string }): void => {
      if (m.type !== type) return;
      child.off('message', onMessage);
      child.off('exit', onExit);
      resolve(m as T);
    };
    const onExit = (code: number | null): void => reject(new Error(`a bench agent process exited (${code}) before "${type}"`));
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}

/** The machine's CPU time so far, busy and total, in clock ticks (Linux /proc/stat; zeros elsewhere). */
function machineCpu(): { busy: number; total: number } {
  try {
    const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1, 9).map(Number);
    const total = fields.reduce((a, b) => a + b, 0);
    // user nice system idle iowait irq softirq steal
    return { busy: total - fields[3]! - fields[4]!, total };
  } catch {
    return { busy: 0, total: 0 };
  }
}

/** The server's main thread profiled between start() and the returned stop(file) (node:inspector). */
async function startProfile(): Promise<(file: string) => Promise<void>> {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  return async (file) => {
    const { profile } = await session.post('Profiler.stop');
    writeFileSync(file, JSON.stringify(profile));
    session.disconnect();
  };
}

async function runOnce(database: BenchDatabase, agents: number, round: number, jobs: number): Promise<RunResult> {
  const server = await startBenchServer({ database, postgresUrl, teams, agents, hiddenCount });
  const children: ChildProcess[] = [];
  try {
    const s0 = performance.now();
    await submitAll(server, jobs);
    const submitPerSecond = jobs / ((performance.now() - s0) / 1000);

    // The agents' tokens dealt out over the processes (one agent per process by default).
    const perProcess = Array.from({ length: Math.min(processes, agents) }, (_, p) =>
      server.agentTokens.filter((_, i) => i % Math.min(processes, agents) === p),
    );
    for (const tokens of perProcess) {
      const child = fork(AGENT_FILE, [], { execArgv: ['--import', TSX_LOADER], serialization: 'advanced', stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
      children.push(child);
      const ready = message(child, 'ready');
      const start: AgentsStart = { url: server.url, tokens, ids: server.hiddenIds, samples, leaseMs: 60_000 };
      child.send({ type: 'start', ...start });
      await ready;
    }
    const reports = children.map((c) => message<{ agents: AgentReport[]; cpuMs: number }>(c, 'done'));
    let queries = 0;
    const bySql = new Map<string, number>();
    const countQuery = (q: { sql?: string }): void => {
      queries++;
      if (!listStatements) return;
      const sql = (q.sql ?? '?')
        .replace(/\s+/g, ' ')
        .replace(/trx\d+/g, 'trxN')
        .slice(0, 110);
      bySql.set(sql, (bySql.get(sql) ?? 0) + 1);
    };
    server.db.on('query', countQuery);
    const held = connectionHeldTimer(server.db);
    const stopProfile = profileDir === '' || round === 0 ? undefined : await startProfile();
    const elu0 = performance.eventLoopUtilization();
    const cpu0 = process.cpuUsage();
    const machine0 = machineCpu();
    const t0 = performance.now();
    for (const c of children) c.send({ type: 'go' });
    const done = await Promise.all(reports);
    const wallMs = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    const machine1 = machineCpu();
    const serverLoopBusy = performance.eventLoopUtilization(elu0).utilization;
    server.db.off('query', countQuery);
    const heldMs = held.stop();
    const agentReports = done.flatMap((r) => r.agents);
    if (listStatements) {
      console.log(`  statements per job, ${database}, ${agents} agent(s), round ${round}:`);
      for (const [sql, n] of [...bySql].sort((a, b) => b[1] - a[1])) console.log(`    ${(n / jobs).toFixed(2).padStart(6)}  ${sql}`);
    }
    await stopProfile?.(path.join(profileDir, `${database}-${agents}agents-r${round}.cpuprofile`));

    const errors = agentReports.flatMap((a) => a.errors);
    const problems = [
      ...errors,
      ...(await exactlyOnceProblems(
        server.db,
        jobs,
        agentReports.flatMap((a) => a.jobs),
      )),
    ];
    if (server.internalErrors.length > 0)
      problems.push(`the server logged ${server.internalErrors.length} internal error(s): ${String(server.internalErrors[0])}`);
    if (problems.length > 0) throw new Error(`${database}, ${agents} agent(s): the run is not valid:\n  ${problems.join('\n  ')}`);
    return {
      database,
      agents,
      jobsPerSecond: jobs / (wallMs / 1000),
      wallMs,
      submitPerSecond,
      leaseMs: agentReports.flatMap((a) => a.leaseMs),
      completeMs: agentReports.flatMap((a) => a.completeMs),
      serverLoopBusy,
      serverCpu: (cpu.user + cpu.system) / 1000 / wallMs,
      agentsCpu: done.reduce((sum, r) => sum + r.cpuMs, 0) / wallMs,
      queriesPerJob: queries / jobs,
      machineBusy: (machine1.busy - machine0.busy) / Math.max(1, machine1.total - machine0.total),
      connectionsHeld: heldMs / wallMs,
    };
  } finally {
    for (const c of children) if (c.exitCode === null) c.kill();
    await server.close();
  }
}

const median = (xs: number[]): number => latencyStats(xs).p50;
const fmt = (x: number, digits = 1): string => x.toFixed(digits);
const pct = (x: number): string => `${Math.round(x * 100)}%`;

console.log(
  `queue throughput: ${jobs} jobs per run, 1 agent vs ${manyAgents} agents (${processes} process(es)), ${rounds} round(s) interleaved, ${teams} teams, ${hiddenCount}-image hidden split, ${samples} latency samples per completion`,
);
console.log(`node ${process.version}, ${os.cpus().length} CPU(s) (${os.cpus()[0]?.model ?? 'unknown'}), databases: ${databases.join(', ')}`);
console.log('');
const all: RunResult[] = [];
for (const database of databases) {
  // Warm-up (not reported): the server's code paths get compiled, PostgreSQL's caches filled.
  for (const agents of [1, manyAgents]) await runOnce(database, agents, 0, Math.min(jobs, 100));
  for (let r = 0; r < rounds; r++) {
    for (const agents of [1, manyAgents]) {
      const res = await runOnce(database, agents, r + 1, jobs);
      all.push(res);
      console.log(
        `  ${database} round ${r + 1}, ${agents} agent(s): ${fmt(res.jobsPerSecond)} jobs/s in ${fmt(res.wallMs / 1000, 2)} s; server event loop busy ${pct(res.serverLoopBusy)}, ` +
          `CPU: server ${pct(res.serverCpu)}, agents ${pct(res.agentsCpu)} of one core, machine ${pct(res.machineBusy)} of all; ${fmt(res.queriesPerJob)} statements per job, database connections held ${pct(res.connectionsHeld)} (submissions were queued at ${fmt(res.submitPerSecond)}/s)`,
      );
    }
  }
}
console.log('');
console.log(
  'database  agents  jobs/s (median; rounds)   lease p50 / p99 ms   complete p50 / p99 ms   server loop busy   db connections held   CPU server / agents   machine busy',
);
const summary: Record<string, unknown>[] = [];
for (const database of databases) {
  const perAgents = new Map<number, number>();
  for (const agents of [1, manyAgents]) {
    const runs = all.filter((x) => x.database === database && x.agents === agents);
    const rate = median(runs.map((x) => x.jobsPerSecond));
    const lease = latencyStats(runs.flatMap((x) => x.leaseMs));
    const complete = latencyStats(runs.flatMap((x) => x.completeMs));
    perAgents.set(agents, rate);
    const busy = median(runs.map((x) => x.serverLoopBusy));
    const serverCpu = median(runs.map((x) => x.serverCpu));
    const agentsCpu = median(runs.map((x) => x.agentsCpu));
    const connectionsHeld = median(runs.map((x) => x.connectionsHeld));
    const machineBusy = median(runs.map((x) => x.machineBusy));
    summary.push({
      database,
      agents,
      jobsPerSecond: rate,
      rounds: runs.map((x) => x.jobsPerSecond),
      lease: { p50: lease.p50, p99: lease.p99 },
      complete: { p50: complete.p50, p99: complete.p99 },
      serverLoopBusy: busy,
      serverCpu,
      agentsCpu,
      connectionsHeld,
      machineBusy,
    });
    const rates = `${fmt(rate)}; ${runs.map((x) => fmt(x.jobsPerSecond)).join(', ')}`;
    console.log(
      `${database.padEnd(9)} ${String(agents).padStart(6)}  ${rates.padEnd(24)}  ${`${fmt(lease.p50, 2)} / ${fmt(lease.p99, 2)}`.padEnd(19)}  ` +
        `${`${fmt(complete.p50, 2)} / ${fmt(complete.p99, 2)}`.padEnd(22)}  ${pct(busy).padEnd(17)}  ${pct(connectionsHeld).padEnd(20)}  ${`${pct(serverCpu)} / ${pct(agentsCpu)}`.padEnd(20)}  ${pct(machineBusy)}`,
    );
  }
  console.log(`${database.padEnd(9)} ratio ${manyAgents} agents / 1 agent: ${(perAgents.get(manyAgents)! / perAgents.get(1)!).toFixed(2)}`);
}
console.log('');
console.log('every run: every job leased once, completed once, one result each; none lost');
console.log(JSON.stringify({ jobs, manyAgents, processes, rounds, samples, teams, summary }));
