/**
 * Rank stability (docs/benchmarks.md, "Rank stability"): does the leaderboard's order survive scoring the same
 * models again? Scores the track's baselines `--repetitions` times with the real `lpcv score --json` as child
 * processes (each repetition scores every model once, the order rotated from one repetition to the next), on a
 * quiet machine and under a bounded synthetic CPU load on the same cores (`--load` spinning child processes pinned
 * with taskset to `--cores`, each with a duty cycle, started for each loaded score and stopped right after it and
 * on any exit), one quiet pass and one loaded pass per repetition so that both meet the same drift of the machine. Prints per model and
 * condition the spread (max/min - 1) over the repetitions of the pooled samples' median (from `--out`'s raw
 * samples), protocol v2's latency.p50 and latency.mean (the score's statistic), relativeLatency.value and the
 * score; and the rank order's agreement between repetitions: Kendall's tau of every pair of repetitions and the
 * pairs that flip, each with whether the ranking's tie rule (scoring/ranking.ts) showed it tied in every
 * repetition. Then the issue's three targets, measured. Not a test.
 *
 *   node bin/run-ts.js bench/rank-stability.ts [--repetitions 5] [--models linear,mlp,...] [--conditions quiet,load]
 *       [--load 1] [--duty 100] [--cores 1] [--trials N] [--track fashion-mnist] [--protocol '{"blockMs":100}']
 *       [--idle 85] [--idle-wait 120] [--keep DIR] [--detail]
 *
 * Each score waits (at most --idle-wait s) until the machine has been --idle % idle for 3 s: the machine is shared,
 * and "quiet" should mean the spinners are the only load the loaded condition adds.
 * --protocol merges keys into the track's `protocol` and scores with that variant (a temporary track file whose
 * paths point back at the track's own data and baselines): how protocol parameters are tried without editing the
 * track. --detail prints each record's per-trial ratios and the reference's own medians.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { otherBusy } from '../devices/environment/judge-trial.js';
import type { RawSamples, ResultRecord } from '../harness/result-record.js';
import { resolveTrack } from '../harness/tracks/load-track.js';
import { latencyStats } from '../scoring/latency-stats.js';
import { flippedPairs, kendallTau } from '../scoring/rank-agreement.js';
import { rankEntries, type RankableEntry } from '../scoring/ranking.js';
import { primaryMetric, tieEvidence } from '../server/leaderboard/index.js';
import { optionInt, optionText } from './bench-args.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const argv = process.argv.slice(2);
const flag = (name: string): boolean => argv.includes(`--${name}`);
const repetitions = optionInt('repetitions', 5);
const spinners = optionInt('load', 1);
const duty = optionInt('duty', 100);
if (duty > 100) throw new Error('--duty: a percentage from 1 to 100');
const cores = optionText('cores', '1');
const trialsOption = optionText('trials', '');
const conditions = optionText('conditions', 'quiet,load').split(',') as ('quiet' | 'load')[];
if (conditions.some((c) => c !== 'quiet' && c !== 'load')) throw new Error('--conditions: quiet, load or quiet,load');
const baseTrack = resolveTrack(optionText('track', 'fashion-mnist'));
const variant = optionText('protocol', '');
const keep = optionText('keep', '');
const from = optionText('from', '');
const idlePct = optionInt('idle', 85);
const idleMaxS = optionInt('idle-wait', 120);
const detail = flag('detail');
const models = optionText('models', (baseTrack.baselines ?? []).map((b) => b.name).join(',')).split(',');

/** A spinner: busy for duty% of every 100 ms; exits when its parent is gone or after maxS seconds whatever happens. */
const SPINNER = `const [duty, maxS] = process.argv.slice(1).map(Number); const end = Date.now() + maxS * 1000; const parent = process.ppid;
const idle = new Int32Array(new SharedArrayBuffer(4));
for (;;) { const t = Date.now(); while (Date.now() - t < duty) {} if (duty < 100) Atomics.wait(idle, 0, 0, 100 - duty);
  if (Date.now() > end || process.ppid !== parent) process.exit(0); }`;
/** A loaded pass never needs more than this; a spinner outlives no bench by more. */
const SPINNER_MAX_S = 3600;

const work = from ? path.resolve(from) : keep ? path.resolve(keep) : mkdtempSync(path.join(os.tmpdir(), 'lpcv-rank-stability-'));
mkdirSync(work, { recursive: true });
const trackArg = from ? '' : variant ? writeVariant(JSON.parse(variant) as Record<string, unknown>) : baseTrack.file;

// Everything this bench starts, killed (with its process group) on any way out.
const running = new Set<ChildProcess>();
function killAll(): void {
  for (const c of running) {
    try {
      if (c.pid !== undefined) process.kill(-c.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  running.clear();
}
process.on('exit', () => {
  killAll();
  if (!keep && !from) rmSync(work, { recursive: true, force: true });
});
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(sig, () => {
    killAll();
    process.exit(130);
  });
}

/** The track file with `protocol` keys merged and its relative paths made absolute, in the work folder. */
function writeVariant(protocol: Record<string, unknown>): string {
  const raw = JSON.parse(readFileSync(baseTrack.file, 'utf8')) as {
    protocol: Record<string, unknown>;
    dataset: Record<string, unknown>;
    baselines?: { file: string }[];
  };
  for (const [k, v] of Object.entries(raw.dataset)) if (typeof v === 'string' && k !== 'format') raw.dataset[k] = path.resolve(baseTrack.dir, v);
  for (const b of raw.baselines ?? []) b.file = path.resolve(baseTrack.dir, b.file);
  raw.protocol = { ...raw.protocol, ...protocol };
  const file = path.join(work, 'track-variant.json');
  writeFileSync(file, `${JSON.stringify(raw, null, 2)}\n`);
  resolveTrack(file); // refuses a bad variant now, not at the first score
  return file;
}

/** Runs argv in its own process group, tracked for killAll; resolves with stdout, rejects on a non-zero exit. */
function run(cmd: string[], what: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd[0]!, cmd.slice(1), { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    running.add(child);
    let out = '';
    let err = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      running.delete(child);
      if (code === 0) resolve(out);
      else reject(new Error(`${what} exited with ${code}: ${err.trim().split('\n').slice(-3).join(' / ')}`));
    });
  });
}

function startSpinners(): ChildProcess[] {
  const started: ChildProcess[] = [];
  for (let i = 0; i < spinners; i++) {
    const c = spawn('taskset', ['-c', cores, process.execPath, '-e', SPINNER, String(duty), String(SPINNER_MAX_S)], { detached: true, stdio: 'ignore' });
    running.add(c);
    started.push(c);
  }
  return started;
}

async function stopSpinners(started: ChildProcess[]): Promise<void> {
  await Promise.all(
    started.map(
      (c) =>
        new Promise<void>((resolve) => {
          if (c.exitCode !== null || c.signalCode !== null) return resolve();
          c.once('exit', () => resolve());
          process.kill(-c.pid!, 'SIGKILL');
        }),
    ),
  );
  for (const c of started) running.delete(c);
}

interface Scored {
  model: string;
  record: ResultRecord;
  raw: RawSamples;
  wallS: number;
}

async function score(model: string, tag: string): Promise<Scored> {
  const baseline = baseTrack.baselines!.find((b) => b.name === model);
  if (!baseline) throw new Error(`--models: the track has no baseline ${model}`);
  const out = path.join(work, `${tag}-${model}.json`);
  const extra = trialsOption ? ['--trials', trialsOption] : [];
  const t0 = process.hrtime.bigint();
  const cmd = ['taskset', '-c', cores, process.execPath, path.join(root, 'bin/lpcv.js'), 'score', path.resolve(baseTrack.dir, baseline.file)];
  const stdout = await run([...cmd, '--track', trackArg, '--json', '--out', out, ...extra], `lpcv score ${model}`);
  const wallS = Number(process.hrtime.bigint() - t0) / 1e9;
  const record = JSON.parse(stdout) as ResultRecord;
  const raw = JSON.parse(readFileSync(out.replace(/\.json$/, '.samples.json'), 'utf8')) as RawSamples;
  return { model, record, raw, wallS };
}

/** Busy and total jiffies of the whole machine (/proc/stat's cpu line). */
function machineJiffies(): { busy: number; total: number } {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const total = f.slice(0, 8).reduce((x, y) => x + y, 0);
  return { busy: total - f[3]! - f[4]!, total };
}

/**
 * Waits until the machine has been at least idlePct% idle over each of 3 consecutive seconds (other tenants'
 * test suites come and go on a shared machine), at most idleMaxS seconds; returns the seconds waited, or -1
 * when it gave up and scored anyway.
 */
async function waitForIdle(): Promise<number> {
  const t0 = Date.now();
  let calm = 0;
  for (let prev = machineJiffies(); Date.now() - t0 < idleMaxS * 1000;) {
    await new Promise((res) => setTimeout(res, 1000));
    const now = machineJiffies();
    const idle = 1 - (now.busy - prev.busy) / Math.max(1, now.total - prev.total);
    prev = now;
    calm = idle * 100 >= idlePct ? calm + 1 : 0;
    if (calm >= 3) return Math.round((Date.now() - t0) / 1000) - 3;
  }
  return -1;
}

const loadavg = (): string => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
const git = (...args: string[]): string => execFileSync('git', ['-C', root, ...args], { encoding: 'utf8' }).trim();

// ---- measure ----------------------------------------------------------------------------------------------
type Condition = 'quiet' | 'load';
/** What a run was: enough to report it again from its kept files (--from). */
interface Meta {
  started: string;
  before: string;
  after: string;
  repetitions: number;
  models: string[];
  conditions: Condition[];
  cores: string;
  spinners: number;
  duty: number;
  variant: string;
  protocol: string;
  commit: string;
  idlePct: number;
  idleMaxS: number;
  waited: number[];
  passLoad: Record<Condition, string[]>;
  wallS: Record<string, number>;
}

async function measure(): Promise<{ meta: Meta; results: Record<Condition, Scored[][]> }> {
  const p = resolveTrack(trackArg).protocol;
  const dirty = git('status', '--porcelain', '--', 'harness', 'devices', 'scoring', 'cli', 'tracks')
    .split('\n')
    .filter((l) => l.startsWith(' M') || l.startsWith('M'))
    .map((l) => l.slice(3));
  const meta: Meta = {
    started: new Date().toISOString(),
    before: loadavg(),
    after: '',
    repetitions,
    models,
    conditions,
    cores,
    spinners,
    duty,
    variant,
    protocol:
      `trials ${trialsOption || p.trials}, warm-up ${p.warmupRuns}, minRuns ${p.minRuns}, minDurationMs ${p.minDurationMs}, ` +
      `blockMs ${p.blockMs}, reference ${p.reference ?? 'none'}`,
    commit: `${git('rev-parse', '--short', 'HEAD')}${dirty.length > 0 ? ` + uncommitted changes in ${dirty.join(', ')}` : ''}`,
    idlePct,
    idleMaxS,
    waited: [],
    passLoad: { quiet: [], load: [] },
    wallS: {},
  };
  const results: Record<Condition, Scored[][]> = { quiet: [], load: [] };
  for (let r = 0; r < repetitions; r++) {
    const order = models.map((_, i) => models[(i + r) % models.length]!);
    for (const condition of conditions) {
      const pass: Scored[] = [];
      for (const m of order) {
        // Each score starts on an idle machine; a loaded one then gets its own spinners, stopped right after it.
        meta.waited.push(await waitForIdle());
        const spinning = condition === 'load' ? startSpinners() : [];
        try {
          if (spinning.length > 0) await new Promise((res) => setTimeout(res, 300));
          const scored = await score(m, `${condition}-${r}`);
          meta.wallS[`${condition}-${r}-${m}`] = scored.wallS;
          pass.push(scored);
        } finally {
          await stopSpinners(spinning);
        }
        process.stderr.write(condition === 'load' ? 'L' : '.');
      }
      meta.passLoad[condition].push(loadavg());
      results[condition].push(pass);
    }
  }
  process.stderr.write('\n');
  meta.after = loadavg();
  if (keep) writeFileSync(path.join(work, 'run.json'), `${JSON.stringify(meta, null, 2)}\n`);
  return { meta, results };
}

/** A kept run (--keep DIR) read back: run.json and each score's record and raw samples. */
function loadRun(dir: string): { meta: Meta; results: Record<Condition, Scored[][]> } {
  const meta = JSON.parse(readFileSync(path.join(dir, 'run.json'), 'utf8')) as Meta;
  const results: Record<Condition, Scored[][]> = { quiet: [], load: [] };
  for (const condition of meta.conditions) {
    for (let r = 0; r < meta.repetitions; r++) {
      results[condition].push(
        meta.models.map((model) => {
          const file = path.join(dir, `${condition}-${r}-${model}`);
          return {
            model,
            record: JSON.parse(readFileSync(`${file}.json`, 'utf8')) as ResultRecord,
            raw: JSON.parse(readFileSync(`${file}.samples.json`, 'utf8')) as RawSamples,
            wallS: meta.wallS[`${condition}-${r}-${model}`] ?? NaN,
          };
        }),
      );
    }
  }
  return { meta, results };
}

const { meta, results } = from ? loadRun(work) : await measure();

// ---- report -----------------------------------------------------------------------------------------------
const median = (xs: readonly number[]): number => latencyStats(xs).p50;
/** The median of the finite values, NaN when none (a kept run without wall times, a record without relativeLatency). */
const finiteMedian = (xs: readonly number[]): number => (xs.some(Number.isFinite) ? median(xs.filter(Number.isFinite)) : NaN);
const spread = (xs: readonly number[]): number => Math.max(...xs) / Math.min(...xs) - 1;
const pct = (x: number, digits = 1): string => `${(100 * x).toFixed(digits)}%`;
const f = (x: number): string => (x >= 1 ? x.toFixed(4) : x.toPrecision(4));
const range = (xs: readonly number[]): string => `${f(Math.min(...xs))}-${f(Math.max(...xs))}`;
const pad = (s: string, n: number): string => s.padEnd(n);
const byModel = (passes: Scored[][], m: string): Scored[] => passes.map((p) => p.find((s) => s.model === m)!);

const ranking = git('log', '-1', '--format=%h %cs', '--', 'scoring/ranking.ts', 'server/leaderboard/tie-evidence.ts');
const rankingDirty = git('status', '--porcelain', '--', 'scoring/ranking.ts', 'server/leaderboard/tie-evidence.ts') !== '';
const m0 = meta;
console.log(`rank stability: ${m0.models.length} models x ${m0.repetitions} repetitions, conditions ${m0.conditions.join(', ')}; ${m0.started}`);
console.log(`machine: ${os.cpus().length} cores (${os.cpus()[0]?.model ?? '?'}), Node ${process.version}; every process pinned to cores ${m0.cores}`);
console.log(`commit ${m0.commit}`);
console.log(
  `tie rule: the leaderboard's (server/leaderboard/tie-evidence.ts, scoring/ranking.ts) of ${ranking}${rankingDirty ? ' + uncommitted changes' : ''}`,
);
console.log(`track ${baseTrack.name}${m0.variant ? ` with protocol ${m0.variant}` : ''}: ${m0.protocol}`);
if (m0.conditions.includes('load')) console.log(`load: ${m0.spinners} spinner(s) pinned to cores ${m0.cores}, busy ${m0.duty}% of every 100 ms`);
console.log(`load average before ${m0.before}, after ${m0.after}`);
const ran = m0.waited.filter((w) => w >= 0);
console.log(
  `each score started once the machine had been >= ${m0.idlePct}% idle for 3 s: waited median ${ran.length > 0 ? median(ran).toFixed(0) : '-'} s, ` +
    `max ${Math.max(...m0.waited)} s${ran.length < m0.waited.length ? `; ${m0.waited.length - ran.length} of ${m0.waited.length} scores gave up after ${m0.idleMaxS} s and ran anyway` : ''}`,
);

/** The score's interval the record carries (harness/score/score-interval.ts), null in a record without one. */
const scoreInterval = (s: Scored): [number, number] | null => s.record.score.ci95 ?? null;

/** The leaderboard's ranking of one pass: every model ranked as a participant's entry, ties by the ranking's rule. */
function rankPass(pass: Scored[]): { order: string[]; shown: Map<string, number>; tied: Set<string> } {
  const metric = primaryMetric(baseTrack);
  const entries: (RankableEntry & { model: string })[] = pass.map((s) => {
    return {
      model: s.model,
      id: s.model,
      team: s.model,
      baseline: false,
      score: s.record.score.value,
      qualified: s.record.score.qualified,
      submittedAt: 0,
      tie: tieEvidence(s.record, metric),
    };
  });
  const ranked = rankEntries(entries);
  return {
    order: ranked.map((r) => r.entry.model),
    shown: new Map(ranked.map((r) => [r.entry.model, r.shownRank ?? -1])),
    tied: new Set(ranked.filter((r) => r.tied).map((r) => r.entry.model)),
  };
}

const { models: ms, conditions: cs } = meta;
const summary: Record<string, unknown> = { ...meta, wallS: undefined, conditions: {} };
// The pairs' gaps for the second target: the quiet machine's median scores (the loaded ones when quiet was not run).
const gapBase = results.quiet.length > 0 ? results.quiet : results.load;
const medianScore = new Map(ms.map((m) => [m, median(byModel(gapBase, m).map((s) => s.record.score.value!))] as const));
const targets: string[] = [];
const bigFlips: string[] = [];
const untiedFlips: string[] = [];
for (const condition of cs) {
  const passes = results[condition];
  console.log('');
  const busy = passes
    .flat()
    .flatMap((s) => (s.record.environment?.trials ?? []).flatMap((e) => (e ? [otherBusy(e.before, e.after, e.ownJiffies)?.pct ?? NaN] : [])));
  console.log(
    `== ${condition === 'quiet' ? 'quiet machine' : `under load (${meta.spinners} spinner(s), ${meta.duty}%)`}: load average after each pass ${meta.passLoad[condition].join(' | ')}; ` +
      `other processes' busy share of cores ${meta.cores} per trial (the guards' reading): median ${finiteMedian(busy).toFixed(0)}%`,
  );
  console.log(
    `${pad('model', 10)} | ${pad('raw p50 ms (pooled)', 22)} sprd | ${pad('v2 latency.p50 ms', 22)} sprd | ${pad('v2 latency.mean ms', 22)} sprd | ${pad('relativeLatency', 22)} sprd | trial CV | score sprd | relLat ci95 width | tie ci95 width | wall s`,
  );
  const rows: Record<string, unknown>[] = [];
  for (const m of ms) {
    const runs = byModel(passes, m);
    const rawP50 = runs.map((s) => median(s.raw.latencyMs));
    const v2p50 = runs.map((s) => s.record.latency!.p50);
    const v2mean = runs.map((s) => s.record.latency!.mean);
    const rel = runs.map((s) => s.record.relativeLatency?.value ?? NaN);
    const scores = runs.map((s) => s.record.score.value!);
    const ciWidth = finiteMedian(
      runs.map((s) =>
        s.record.relativeLatency ? (s.record.relativeLatency.ci95[1] - s.record.relativeLatency.ci95[0]) / s.record.relativeLatency.value : NaN,
      ),
    );
    // The width of the interval the tie test compares, relative: the score's where the record has one, else the latency's.
    const metric = primaryMetric(baseTrack);
    const tieWidth = finiteMedian(
      runs.map((s) => {
        const ci = s.record.score.ci95;
        if (ci && s.record.score.value) return (ci[1] - ci[0]) / s.record.score.value;
        const t = tieEvidence(s.record, metric);
        return t === null ? NaN : (t.latencyCi95[1] - t.latencyCi95[0]) / (s.record.score.statistic?.value ?? s.record.latency!.p50);
      }),
    );
    // The per-trial ratios' robust coefficient of variation (1.4826 MAD / median) over every trial of every repetition.
    const perTrial = runs.flatMap((s) => s.record.relativeLatency?.perTrial ?? []);
    const mid = median(perTrial);
    const trialCv = (1.4826 * median(perTrial.map((x) => Math.abs(x - mid)))) / mid;
    const cols = [rawP50, v2p50, v2mean, rel].map((xs) => `${pad(range(xs), 22)} ${pad(pct(spread(xs)), 5)}`);
    console.log(
      `${pad(m, 10)} | ${cols.join('| ')}| ${pad(pct(trialCv), 8)} | ${pad(pct(spread(scores)), 10)} | ${pad(pct(ciWidth), 17)} | ${pad(pct(tieWidth), 14)} | ${finiteMedian(runs.map((s) => s.wallS)).toFixed(1)}`,
    );
    rows.push({ model: m, rawP50, v2p50, v2mean, rel, scores, relCiWidth: ciWidth, tieCiWidth: tieWidth, trialCv });
    if (detail) {
      for (const [i, s] of runs.entries()) {
        const refP50 = (s.raw.trials ?? []).map((t) => median(t.referenceLatencyMs ?? [0]));
        const subP50 = (s.raw.trials ?? []).map((t) => median(t.latencyMs));
        const blocks = (s.raw.trials ?? []).map((t) => t.blockOrder?.length ?? 0);
        console.log(
          `    rep ${i}: per-trial ratio ${(s.record.relativeLatency?.perTrial ?? []).map((x) => x.toFixed(3)).join(' ')}; ` +
            `submission p50 ${subP50.map(f).join(' ')}; reference p50 ${refP50.map(f).join(' ')}; blocks ${blocks.join(' ')}`,
        );
      }
    }
  }
  const relSpreads = rows.map((r) => spread(r.rel as number[]));
  if (condition === 'load') {
    const worst = Math.max(...relSpreads);
    targets.push(
      `relativeLatency spread under load <= 2%: ${worst <= 0.02 ? 'met' : 'MISSED'} (largest ${pct(worst)}, ${rows[relSpreads.indexOf(worst)]!.model as string})`,
    );
  }

  // The rank order (by score, the leaderboard's order) and its agreement between repetitions.
  const ranked = passes.map(rankPass);
  console.log('rankings by score (= a statistical tie group, as the leaderboard shows it):');
  for (const [i, r] of ranked.entries()) console.log(`  rep ${i}: ${r.order.map((m) => `${r.tied.has(m) ? '=' : ''}${r.shown.get(m)} ${m}`).join(', ')}`);
  const taus: number[] = [];
  for (let i = 0; i < ranked.length; i++) for (let j = i + 1; j < ranked.length; j++) taus.push(kendallTau(ranked[i]!.order, ranked[j]!.order));
  const relOrders = passes.map((pass) => [...pass].sort((a, b) => a.record.relativeLatency!.value - b.record.relativeLatency!.value).map((s) => s.model));
  const relTaus: number[] = [];
  for (let i = 0; i < relOrders.length; i++) for (let j = i + 1; j < relOrders.length; j++) relTaus.push(kendallTau(relOrders[i]!, relOrders[j]!));
  if (taus.length > 0) {
    console.log(`Kendall tau between repetitions, by score: min ${Math.min(...taus).toFixed(3)}, median ${median(taus).toFixed(3)} (${taus.length} pairs)`);
    console.log(`  by relativeLatency (lower first): min ${Math.min(...relTaus).toFixed(3)}, median ${median(relTaus).toFixed(3)}`);
  }
  const flips = flippedPairs(ranked.map((r) => r.order));
  if (flips.length === 0) console.log('no pair flips between repetitions');
  const flipRows: Record<string, unknown>[] = [];
  for (const fl of flips) {
    const tiedIn = ranked.map((r) => r.shown.get(fl.a) === r.shown.get(fl.b) && r.tied.has(fl.a));
    const gap = Math.abs(medianScore.get(fl.a)! / medianScore.get(fl.b)! - 1);
    const allTied = tiedIn.every(Boolean);
    // Whether the two scores' intervals overlap in each repetition (the tie test for records that carry them; shown tied can
    // still differ where a neighbour between them breaks the chain).
    const scoreOverlap = passes.map((pass) => {
      const [x, y] = [scoreInterval(pass.find((s) => s.model === fl.a)!), scoreInterval(pass.find((s) => s.model === fl.b)!)];
      return x !== null && y !== null && x[0] <= y[1] && y[0] <= x[1];
    });
    console.log(
      `  flips: ${fl.a} / ${fl.b}: ${fl.b} first in ${fl.times} of ${ranked.length}; ${gapBase === results.quiet ? 'quiet-machine' : 'loaded'} median scores ${pct(gap)} apart; ` +
        `shown tied in ${tiedIn.filter(Boolean).length} of ${ranked.length} repetitions${allTied ? ' (every one)' : ''}; ` +
        `their score intervals overlap in ${scoreOverlap.filter(Boolean).length} of ${ranked.length}`,
    );
    flipRows.push({ ...fl, quietGap: gap, tiedIn, scoreOverlap });
    if (gap >= 0.05) bigFlips.push(`${fl.a} / ${fl.b} ${condition} (${pct(gap)} apart)`);
    if (!allTied) untiedFlips.push(`${fl.a} / ${fl.b} ${condition} (tied in ${tiedIn.filter(Boolean).length} of ${ranked.length})`);
  }
  (summary.conditions as Record<string, unknown>)[condition] = {
    rows,
    taus,
    relTaus,
    flips: flipRows,
    orders: ranked.map((r) => r.order),
    passLoad: meta.passLoad[condition],
  };
}
console.log('');
console.log('targets:');
targets.push(`no pair whose median scores differ by >= 5% flips: ${bigFlips.length === 0 ? 'met' : `MISSED: ${bigFlips.join('; ')}`}`);
targets.push(`every pair that flips is shown tied in every repetition: ${untiedFlips.length === 0 ? 'met' : `MISSED: ${untiedFlips.join('; ')}`}`);
for (const t of targets) console.log(`  ${t}`);
if (keep) console.log(`records and raw samples kept in ${work}`);
console.log(JSON.stringify(summary));
