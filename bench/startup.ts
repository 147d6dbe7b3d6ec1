/**
 * CLI start-up benchmark (not a test): how long `lpcv` takes to start, against `node -e 0` measured in the same
 * rounds. Each round runs every command once, in turn (node -e 0, then lpcv --help and lpcv tracks from dist/
 * and from the TypeScript sources), so a machine whose speed drifts moves all of them alike; the ratios to
 * `node -e 0` are taken round by round and their medians printed. Targets (issue 16): `lpcv --help` <= 3x and
 * `lpcv tracks` <= 4x `node -e 0`, from dist/. Whole processes, wall time from spawn to exit.
 *
 * It also times bin/dist-fresh.js's check (is dist/ older than the sources?) that every start pays.
 *
 *   npm run build && node bin/run-ts.js bench/startup.ts [--rounds 20]
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { optionInt } from './bench-args.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const bin = fileURLToPath(new URL('../bin/lpcv.js', import.meta.url));
const rounds = optionInt('rounds', 20);

interface Subject {
  name: string;
  args: string[];
  env: NodeJS.ProcessEnv;
}

const fromDist = { ...process.env, LPCV_FROM_SOURCE: '' };
const fromSource = { ...process.env, LPCV_FROM_SOURCE: '1' };
const subjects: Subject[] = [
  { name: 'node -e 0', args: ['-e', '0'], env: process.env },
  { name: 'lpcv --help (dist)', args: [bin, '--help'], env: fromDist },
  { name: 'lpcv tracks (dist)', args: [bin, 'tracks'], env: fromDist },
  { name: 'lpcv --help (sources)', args: [bin, '--help'], env: fromSource },
  { name: 'lpcv tracks (sources)', args: [bin, 'tracks'], env: fromSource },
];

function runOnce(s: Subject): number {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, s.args, { cwd: root, env: s.env, stdio: ['ignore', 'ignore', 'pipe'] });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`${s.name} exited ${r.status}: ${String(r.stderr).trim()}`);
  return ms;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

// bin/dist-fresh.js's check, in a child of its own (bench/ does not import bin/): whether dist/ is current, the
// first call's time (what a start pays) and the median of 50 more.
const FRESHNESS_PROBE = `
import { compiledEntry, newestSourceMtime } from './bin/dist-fresh.js';
const ms = (f) => { const t = process.hrtime.bigint(); f(); return Number(process.hrtime.bigint() - t) / 1e6; };
const first = ms(() => compiledEntry('cli/main.js'));
const more = Array.from({ length: 50 }, () => ms(newestSourceMtime)).sort((a, b) => a - b);
console.log(JSON.stringify({ fresh: compiledEntry('cli/main.js') !== null, first, median: more[25] }));`;

function freshness(): { fresh: boolean; first: number; median: number } {
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', FRESHNESS_PROBE], { cwd: root, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`the freshness probe failed: ${r.stderr.trim()}`);
  return JSON.parse(r.stdout) as { fresh: boolean; first: number; median: number };
}

const check = freshness();
if (!check.fresh) {
  console.error('dist/ is missing or older than the sources: run `npm run build` first');
  process.exit(1);
}

for (const s of subjects) runOnce(s); // warm-up: the file cache, tsx's cache
const times = subjects.map((): number[] => []);
for (let r = 0; r < rounds; r++) subjects.forEach((s, i) => times[i]!.push(runOnce(s)));

console.log(`${rounds} interleaved rounds, wall ms per whole process; ratio = median of per-round ratios to node -e 0`);
console.log(`${'command'.padEnd(24)}${'min'.padStart(8)}${'median'.padStart(8)}${'max'.padStart(8)}${'ratio'.padStart(8)}`);
subjects.forEach((s, i) => {
  const t = times[i]!;
  const ratio = median(t.map((ms, r) => ms / times[0]![r]!));
  const cols = [Math.min(...t), median(t), Math.max(...t)].map((v) => v.toFixed(0).padStart(8)).join('');
  console.log(`${s.name.padEnd(24)}${cols}${`${ratio.toFixed(2)}x`.padStart(8)}`);
});
console.log(`dist/ freshness check (bin/dist-fresh.js): first call ${check.first.toFixed(1)} ms, then median ${check.median.toFixed(1)} ms`);
// Someone editing a source during the run makes bin/lpcv.js fall back to the sources: the dist rows would lie.
if (!freshness().fresh) {
  console.error('dist/ went stale during the run (a source was edited): the dist rows are not dist figures; build and run again');
  process.exit(1);
}
