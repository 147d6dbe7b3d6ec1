/**
 * What is a speed mode tied to? (docs/benchmarks.md, "Speed modes"). Runs `--processes` units per condition,
 * condition after condition in rounds (so that every condition meets the same drift of the machine), each unit
 * timing model A and model B in blocks (bench/speed-modes-child.ts), and prints per condition:
 *   - between units: the spread (max/min - 1) of A's and B's per-unit median (the median of its block medians),
 *     and of their ratio B/A;
 *   - within a unit: the spread of A's block medians over the process's life, and of the B/A ratio of adjacent
 *     blocks (median over units).
 * Conditions (--conditions, default all):
 *   core1     one process pinned to core 1, A and B alternating in blocks A B B A (the protocol's pairing);
 *   core0     the same on core 0: a mode tied to the core shows as core 0 and core 1 differing;
 *   aslr-off  core1 with address-space randomisation off (setarch -R): the same virtual layout in every process;
 *             a mode tied to where things land in memory shrinks here;
 *   same      core1 with two sessions of model A (B is a second session of A): a mode tied to a session (its
 *             buffers' placement) rather than to the process shows as A/A' moving between processes;
 *   separate  A and B in two processes started together, both pinned to core 1, each timing its model alone:
 *             a mode tied to the time (the host) is shared by the two, one tied to the process is not.
 * Per condition also the lag-1 autocorrelation of A's per-unit medians in the order they ran: a mode tied to
 * the time (minutes) makes neighbouring rounds alike. Each unit waits (at most --idle-wait s) for the machine to
 * be --idle % idle for 3 s. --phases quiet,load runs the same again under load: --load N spinning processes
 * pinned to each core, started for each unit and killed right after it and on any exit. Not a test.
 *
 *   node bin/run-ts.js bench/speed-modes.ts [--processes 12] [--blocks 12] [--runs 300] [--a resnet_s] [--b hardnet_s]
 *       [--conditions core1,core0,aslr-off,same,separate] [--phases quiet,load] [--load 1] [--idle 85] [--idle-wait 120] [--detail]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { latencyStats } from '../scoring/latency-stats.js';
import { optionInt, optionText } from './bench-args.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const processes = optionInt('processes', 12);
const blocks = optionInt('blocks', 12);
const runs = optionInt('runs', 300);
const spinnersPerCore = optionInt('load', 1);
const detail = process.argv.includes('--detail');
const idlePct = optionInt('idle', 85);
const idleMaxS = optionInt('idle-wait', 120);
const model = (name: string): string => path.join(root, 'baselines/fashion-mnist', `${name}.onnx`);
const a = optionText('a', 'resnet_s');
const b = optionText('b', 'hardnet_s');
const phases = optionText('phases', 'quiet').split(',');
if (phases.some((p) => p !== 'quiet' && p !== 'load')) throw new Error('--phases: quiet, load or quiet,load');

interface Block {
  session: number;
  p50: number;
  atMs: number;
}
interface ChildResult {
  pid: number;
  startedAt: number;
  core: number;
  heap: string;
  blocks: Block[];
}
/** One unit of a condition: A's and B's block medians (from one process, or from two run side by side). */
interface Unit {
  startedAt: number;
  a: number[];
  b: number[];
  /** Adjacent A-B block pairs in one process (absent for `separate`). */
  pairs: number[];
  cores: number[];
  heaps: string[];
}

const pin = (core: number): string[] => ['taskset', '-c', String(core)];
const child = (...models: string[]): string[] => [
  process.execPath,
  path.join(root, 'bin/run-ts.js'),
  path.join(root, 'bench/speed-modes-child.ts'),
  String(blocks),
  String(runs),
  ...models.map(model),
];
const conditions: { name: string; argvs: string[][] }[] = [
  { name: 'core1', argvs: [[...pin(1), ...child(a, b)]] },
  { name: 'core0', argvs: [[...pin(0), ...child(a, b)]] },
  { name: 'aslr-off', argvs: [['setarch', '-R', ...pin(1), ...child(a, b)]] },
  { name: 'same', argvs: [[...pin(1), ...child(a, a)]] },
  {
    name: 'separate',
    argvs: [
      [...pin(1), ...child(a)],
      [...pin(1), ...child(b)],
    ],
  },
].filter((c) => optionText('conditions', 'core1,core0,aslr-off,same,separate').split(',').includes(c.name));

// Everything started here, killed with its process group on any way out.
const running = new Set<ChildProcess>();
function killAll(): void {
  for (const c of running) {
    try {
      process.kill(-c.pid!, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  running.clear();
}
process.on('exit', killAll);
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(sig, () => {
    killAll();
    process.exit(130);
  });
}

function runChild(argv: string[]): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const c = spawn(argv[0]!, argv.slice(1), { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    running.add(c);
    let out = '';
    let err = '';
    c.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    c.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    c.on('error', reject);
    c.on('close', (code) => {
      running.delete(c);
      if (code !== 0) return reject(new Error(`speed-modes-child exited with ${code}: ${err.trim()}`));
      resolve(JSON.parse(out.trim().split('\n').at(-1)!) as ChildResult);
    });
  });
}

/** A spinner busy all the time; exits when its parent is gone or after an hour whatever happens. */
const SPINNER = `const end = Date.now() + 3600e3; const parent = process.ppid;
for (;;) { const t = Date.now(); while (Date.now() - t < 100) {} if (Date.now() > end || process.ppid !== parent) process.exit(0); }`;
function startSpinners(): ChildProcess[] {
  const started: ChildProcess[] = [];
  for (const core of [0, 1]) {
    for (let i = 0; i < spinnersPerCore; i++) {
      const c = spawn('taskset', ['-c', String(core), process.execPath, '-e', SPINNER], { detached: true, stdio: 'ignore' });
      running.add(c);
      started.push(c);
    }
  }
  return started;
}
async function stopSpinners(started: ChildProcess[]): Promise<void> {
  await Promise.all(
    started.map(
      (c) =>
        new Promise<void>((resolve) => {
          running.delete(c);
          if (c.exitCode !== null || c.signalCode !== null) return resolve();
          c.once('exit', () => resolve());
          process.kill(-c.pid!, 'SIGKILL');
        }),
    ),
  );
}

/** Busy and total jiffies of the whole machine (/proc/stat's cpu line). */
function machineJiffies(): { busy: number; total: number } {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const total = f.slice(0, 8).reduce((x, y) => x + y, 0);
  return { busy: total - f[3]! - f[4]!, total };
}

/** Waits until the machine has been idlePct% idle over each of 3 consecutive seconds, at most idleMaxS; false when it gave up. */
async function waitForIdle(): Promise<boolean> {
  const t0 = Date.now();
  let calm = 0;
  for (let prev = machineJiffies(); Date.now() - t0 < idleMaxS * 1000;) {
    await new Promise((res) => setTimeout(res, 1000));
    const now = machineJiffies();
    calm = 100 * (1 - (now.busy - prev.busy) / Math.max(1, now.total - prev.total)) >= idlePct ? calm + 1 : 0;
    prev = now;
    if (calm >= 3) return true;
  }
  return false;
}

async function runUnit(argvs: string[][]): Promise<Unit> {
  const results = await Promise.all(argvs.map(runChild));
  const of = (r: ChildResult, s: number): number[] => r.blocks.filter((x) => x.session === s).map((x) => x.p50);
  if (results.length === 2) {
    return {
      startedAt: Math.min(...results.map((r) => r.startedAt)),
      a: of(results[0]!, 0),
      b: of(results[1]!, 0),
      pairs: [],
      cores: results.map((r) => r.core),
      heaps: results.map((r) => r.heap),
    };
  }
  const r = results[0]!;
  // Adjacent blocks 0-1, 2-3, ...: one of each session, so their ratio is B/A at that moment of the process.
  const pairs: number[] = [];
  for (let k = 0; k + 1 < r.blocks.length; k += 2) {
    const [x, y] = [r.blocks[k]!, r.blocks[k + 1]!];
    pairs.push(x.session === 0 ? y.p50 / x.p50 : x.p50 / y.p50);
  }
  return { startedAt: r.startedAt, a: of(r, 0), b: of(r, 1), pairs, cores: [r.core], heaps: [r.heap] };
}

const median = (xs: readonly number[]): number => latencyStats(xs).p50;
const spread = (xs: readonly number[]): number => Math.max(...xs) / Math.min(...xs) - 1;
const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;
const range = (xs: readonly number[]): string => `${Math.min(...xs).toFixed(3)}-${Math.max(...xs).toFixed(3)}`;
const loadavg = (): string => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');

/** Seconds between a condition's consecutive units (the length of a round). */
function roundS(units: Map<string, Unit[]>): string {
  const first = [...units.values()][0]!;
  return first.length < 2 ? '?' : ((first.at(-1)!.startedAt - first[0]!.startedAt) / 1000 / (first.length - 1)).toFixed(0);
}

/** Pearson correlation of consecutive values: about 0 (within +-2/sqrt(n)) for independent draws. */
function lag1(xs: readonly number[]): number {
  const m = xs.reduce((s, x) => s + x, 0) / xs.length;
  let num = 0;
  let den = 0;
  for (let i = 0; i < xs.length; i++) {
    den += (xs[i]! - m) ** 2;
    if (i > 0) num += (xs[i]! - m) * (xs[i - 1]! - m);
  }
  return den === 0 ? 0 : num / den;
}

console.log(
  `speed modes: ${a} (A) and ${b} (B), ${processes} units per condition, ${blocks} blocks of ${runs} runs per process; ` +
    `${os.cpus().length} cores (${os.cpus()[0]?.model ?? '?'}), Node ${process.version}; ${new Date().toISOString()}`,
);
for (const phase of phases) {
  const before = loadavg();
  const units = new Map<string, Unit[]>(conditions.map((c) => [c.name, []]));
  let gaveUp = 0;
  for (let i = 0; i < processes; i++) {
    for (const c of conditions) {
      // Each unit starts on an idle machine; a loaded one then gets its own spinners, stopped right after it.
      if (!(await waitForIdle())) gaveUp++;
      const spinning = phase === 'load' ? startSpinners() : [];
      try {
        if (spinning.length > 0) await new Promise((res) => setTimeout(res, 300));
        units.get(c.name)!.push(await runUnit(c.argvs));
      } finally {
        await stopSpinners(spinning);
      }
      process.stderr.write('.');
    }
  }
  process.stderr.write('\n');
  console.log('');
  console.log(
    `== ${phase === 'quiet' ? 'quiet' : `under load: ${spinnersPerCore} spinner(s) pinned to each core`}; load average before ${before}, after ${loadavg()}; ` +
      `each unit started after >= ${idlePct}% idle for 3 s${gaveUp > 0 ? ` (${gaveUp} gave up waiting after ${idleMaxS} s)` : ''}`,
  );
  console.log(
    'condition | A p50 ms (min-max over units) | B p50 ms (min-max) | spread A | spread B | spread B/A | B/A min-max | lag-1 A | within-process spread of A (median) | of B/A pairs (median)',
  );
  for (const c of conditions) {
    const us = units.get(c.name)!;
    const pa = us.map((u) => median(u.a));
    const pb = us.map((u) => median(u.b));
    const ratio = pb.map((x, i) => x / pa[i]!);
    const withinA = median(us.map((u) => spread(u.a)));
    const withinRatio = c.name === 'separate' ? '(two processes)' : pct(median(us.map((u) => spread(u.pairs))));
    console.log(
      `${c.name.padEnd(9)} | ${range(pa).padEnd(29)} | ${range(pb).padEnd(18)} | ${pct(spread(pa)).padEnd(8)} | ${pct(spread(pb)).padEnd(8)} | ` +
        `${pct(spread(ratio)).padEnd(10)} | ${range(ratio).padEnd(11)} | ${lag1(pa).toFixed(2).padEnd(7)} | ${pct(withinA).padEnd(35)} | ${withinRatio}`,
    );
    if (detail) {
      console.log(`    A per unit, in the order run: ${pa.map((x) => x.toFixed(3)).join(' ')}`);
      console.log(`    B per unit:                   ${pb.map((x) => x.toFixed(3)).join(' ')}`);
      console.log(`    B/A per unit:                 ${ratio.map((x) => x.toFixed(3)).join(' ')}`);
      console.log(
        `    cores seen ${[...new Set(us.flatMap((u) => u.cores))].join(',')}; heaps ${new Set(us.flatMap((u) => u.heaps)).size} distinct of ${us.flatMap((u) => u.heaps).length}`,
      );
    }
  }
  console.log(
    `lag-1: the autocorrelation of A's per-unit medians in the order run (a unit per round, rounds ~${roundS(units)} s apart); ` +
      `independent units give about 0, within +-${(2 / Math.sqrt(processes)).toFixed(2)}`,
  );
}
