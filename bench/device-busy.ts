/**
 * Per-job overhead and device busy (issue 16, item 5): how much of a job's lease is not measurement, and how
 * much of the wall time a device is leased. Each round starts a real server (startServer: SQLite in a fresh
 * temp folder, the built-in tracks), queues `--jobs` submissions of fashion-mnist's `linear` baseline for one
 * team over POST /api/submissions (the track's own protocol: 5 trials paired with the reference), then runs
 * the desktop agent (runAgentLoop, the device `lpcv serve` runs: desktop?name=..., the agent's defaults) in
 * this process until every job has ended.
 *
 *   node bin/run-ts.js bench/device-busy.ts [--jobs 30] [--rounds 3] [--model linear]
 *
 * Per job: the wall time from the lease (its `leased` event) to its completion (its `done` event: the
 * server has scored it), the time inside the measurement (the accuracy pass from the progress the target
 * reports, each trial's warm-up and timed phase from the record's trials), and the overhead = wall -
 * measurement, broken into phases from the agent's log lines, the target's progress and the events'
 * timestamps (one clock: the server and the agent share this process). Device busy = sum of the leases'
 * walls / (last completion - first lease). The inference processes run the TypeScript worker through tsx's
 * loader (as `lpcv serve` does from sources, LPCV_FROM_SOURCE=1); a compiled install starts them faster.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseDeviceSpec } from '../devices/agent/device-spec.js';
import { makeTarget } from '../devices/agent/make-target.js';
import { runAgentLoop } from '../devices/agent/run-agent-loop.js';
import type { Target, TargetProgress, TargetRun } from '../devices/targets/target.js';
import { createAgent, createTeam } from '../server/auth/index.js';
import { UNLIMITED_QUOTA } from '../server/quota/index.js';
import { startServer } from '../server/serve/start-server.js';
import { optionInt, optionText } from './bench-args.js';

const jobs = optionInt('jobs', 30);
const rounds = optionInt('rounds', 3);
const modelName = optionText('model', 'linear');
const TRACK = 'fashion-mnist';
const MODEL = readFileSync(fileURLToPath(new URL(`../baselines/${TRACK}/${modelName}.onnx`, import.meta.url)));

/** What the wrapped target saw of one job: when its run started and ended, its progress, its record. */
interface RunTrace {
  start: number;
  end: number;
  progress: { at: number; p: TargetProgress }[];
  run?: TargetRun;
}

/** A job's phases, ms (see the file's comment); `wall` = lease to done. */
interface JobPhases {
  wall: number;
  measurement: number;
  overhead: number;
  leaseAnswer: number;
  fetch: number;
  setup: number;
  accuracy: number;
  trialStarts: number;
  warmup: number;
  timed: number;
  after: number;
  report: number;
}
const PHASES: [keyof JobPhases, string][] = [
  ['wall', 'wall, lease to done'],
  ['measurement', 'inside the measurement'],
  ['overhead', 'overhead (wall - measurement)'],
  ['leaseAnswer', '  lease answered to the agent'],
  ['fetch', '  downloads, cache checks, pack open'],
  ['setup', '  validation, accuracy process start + load'],
  ['accuracy', 'm accuracy pass (hidden split)'],
  ['trialStarts', '  trials: fresh process start + loads'],
  ['warmup', 'm trials: warm-up (est.)'],
  ['timed', 'm trials: timed phase'],
  ['after', '  after the trials: close, profile, robustness'],
  ['report', '  completion: upload, scoring, commit'],
];

interface RoundResult {
  jobs: JobPhases[];
  /** Lease of job i+1 minus done of job i. */
  gaps: number[];
  busy: number;
  failed: number;
}

/** A target that records, per job, the run's span and progress (the agent's device, unchanged otherwise). */
function tracing(inner: Target, traces: Map<number, RunTrace>): Target {
  return {
    name: inner.name,
    kind: inner.kind,
    formats: inner.formats,
    capabilities: () => inner.capabilities(),
    probe: (signal) => inner.probe(signal),
    close: async () => inner.close?.(),
    async run(job) {
      const t: RunTrace = { start: Date.now(), end: Number.NaN, progress: [] };
      traces.set(job.jobId, t);
      const run = await inner.run({ ...job, onProgress: (p) => (t.progress.push({ at: Date.now(), p }), job.onProgress(p)) });
      t.end = Date.now();
      t.run = run;
      return run;
    },
  };
}

/** The phases of one job from its events, the agent's "job N:" line and the target's trace. */
function phasesOf(leased: number, done: number, agentStart: number, t: RunTrace): JobPhases {
  const m = t.run!.measurement;
  const acc = t.progress.filter((x) => x.p.phase === 'accuracy');
  const first = acc[0]!;
  const last = acc[acc.length - 1]!;
  // The first report comes after the first chunk: the pass began that chunk's share earlier.
  const total = last.p.total ?? 1;
  const firstDone = first.p.done ?? 0;
  const perImage = total > firstDone ? (last.at - first.at) / (total - firstDone) : 0;
  const accStart = first.at - perImage * firstDone;
  const accuracy = last.at - accStart;
  const trials = m.trials ?? [];
  const paired = m.reference !== undefined;
  let prevEnd = last.at;
  let trialGaps = 0;
  let warmup = 0;
  let timed = 0;
  for (const [i, tr] of trials.entries()) {
    // The worker reports the warm-up's end as the timed phase starts.
    const w = t.progress.find((x) => x.p.phase === 'warmup' && (x.p as { trial?: number }).trial === i);
    const timedStart = w?.at ?? prevEnd;
    // The record keeps the submission's warm-up runs; paired, the reference ran as many beside them.
    const warm = tr.warmupMs.reduce((a, b) => a + b, 0) * (paired ? 2 : 1);
    warmup += warm;
    trialGaps += Math.max(0, timedStart - prevEnd - warm);
    timed += tr.timedMs;
    prevEnd = timedStart + tr.timedMs;
  }
  const wall = done - leased;
  const measurement = accuracy + warmup + timed;
  return {
    wall,
    measurement,
    overhead: wall - measurement,
    leaseAnswer: agentStart - leased,
    fetch: t.start - agentStart,
    setup: accStart - t.start,
    accuracy,
    trialStarts: trialGaps,
    warmup,
    timed,
    after: t.end - prevEnd,
    report: done - t.end,
  };
}

async function round(): Promise<RoundResult> {
  const dir = mkdtempSync(path.join(tmpdir(), 'lpcv-bench-busy-'));
  const server = await startServer({ port: 0, dataDir: dir, log: () => {}, env: {}, quota: UNLIMITED_QUOTA, seedBaselines: false });
  const stop = new AbortController();
  let agent: Promise<void> | undefined;
  try {
    const team = await createTeam(server.db, 'bench-busy-team', Date.now());
    const agentToken = (await createAgent(server.db, 'bench-busy-agent', Date.now())).token;
    for (let i = 0; i < jobs; i++) {
      const form = new FormData();
      form.append('track', TRACK);
      form.append('file', new Blob([MODEL]), `${modelName}-${i}.onnx`);
      const res = await fetch(`${server.url}/api/submissions`, { method: 'POST', body: form, headers: { authorization: `Bearer ${team.token}` } });
      if (res.status !== 201) throw new Error(`submission ${i} refused: ${res.status} ${await res.text()}`);
      await res.arrayBuffer();
    }
    const jobStarts = new Map<number, number>();
    const log = (line: string): void => {
      const job = /^job (\d+): submission /.exec(line);
      if (job) jobStarts.set(Number(job[1]), Date.now());
      else if (/failed|refused|retrying/.test(line)) console.error(`  agent: ${line}`);
    };
    const traces = new Map<number, RunTrace>();
    const cacheDir = path.join(dir, 'agent-cache');
    mkdirSync(cacheDir, { recursive: true });
    const device = tracing(await makeTarget(parseDeviceSpec('desktop?name=bench-desktop'), log), traces);
    agent = runAgentLoop({ serverUrl: server.url, token: agentToken, device, cacheDir, signal: stop.signal, log });
    const t0 = Date.now();
    for (;;) {
      await new Promise((r) => setTimeout(r, 250));
      const open = (await server.db('jobs').whereNotIn('state', ['done', 'failed']).count({ n: '*' })) as [{ n: number | string }];
      if (Number(open[0].n) === 0) break;
      if (Date.now() - t0 > jobs * 120_000) throw new Error('the jobs did not end in time');
    }
    stop.abort();
    await agent;
    const events = (await server.db('job_events').whereIn('to_state', ['leased', 'done']).orderBy('id').select('job_id', 'to_state', 'at')) as {
      job_id: number;
      to_state: string;
      at: number | string;
    }[];
    const leased = new Map(events.filter((e) => e.to_state === 'leased').map((e) => [e.job_id, Number(e.at)]));
    const done = new Map(events.filter((e) => e.to_state === 'done').map((e) => [e.job_id, Number(e.at)]));
    const order = [...done.keys()].sort((a, b) => leased.get(a)! - leased.get(b)!);
    const phases = order.map((id) => phasesOf(leased.get(id)!, done.get(id)!, jobStarts.get(id)!, traces.get(id)!));
    const gaps = order.slice(1).map((id, i) => leased.get(id)! - done.get(order[i]!)!);
    const span = done.get(order[order.length - 1]!)! - leased.get(order[0]!)!;
    return { jobs: phases, gaps, busy: phases.reduce((a, p) => a + p.wall, 0) / span, failed: jobs - order.length };
  } finally {
    stop.abort();
    await agent?.catch(() => {});
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const sorted = (xs: number[]): number[] => [...xs].sort((a, b) => a - b);
const q = (xs: number[], f: number): number => sorted(xs)[Math.min(xs.length - 1, Math.floor(f * xs.length))]!;
const ms = (x: number): string => (x >= 10_000 ? x.toFixed(0) : x.toFixed(1)).padStart(8);
const row = (label: string, xs: number[]): string => `${label.padEnd(48)}${ms(q(xs, 0.5))}${ms(q(xs, 0.9))}${ms(Math.max(...xs))}`;

function print(title: string, all: JobPhases[], gaps: number[]): void {
  console.log(`${title}\n${''.padEnd(48)}  median      p90      max   (ms over ${all.length} jobs; m: inside the measurement)`);
  for (const [k, label] of PHASES)
    console.log(
      row(
        label,
        all.map((p) => p[k]),
      ),
    );
  if (gaps.length > 0) console.log(row('idle: done to the next lease', gaps));
}

console.log(`device-busy: ${jobs} jobs of ${TRACK}/${modelName} per round, ${rounds} round(s); load ${readFileSync('/proc/loadavg', 'utf8').trim()}`);
const results: RoundResult[] = [];
for (let i = 0; i < rounds; i++) {
  const r = await round();
  results.push(r);
  // The first job builds and downloads the input pack: shown in max, and apart.
  const first = r.jobs[0]!;
  print(
    `round ${i + 1}: device busy ${(100 * r.busy).toFixed(1)}%${r.failed > 0 ? `, ${r.failed} job(s) failed` : ''}; first job overhead ${first.overhead.toFixed(0)} ms`,
    r.jobs,
    r.gaps,
  );
}
if (rounds > 1) {
  print(
    `all ${rounds} rounds: device busy ${results.map((r) => `${(100 * r.busy).toFixed(1)}%`).join(', ')}`,
    results.flatMap((r) => r.jobs),
    results.flatMap((r) => r.gaps),
  );
}
console.log(`load after: ${readFileSync('/proc/loadavg', 'utf8').trim()}`);
