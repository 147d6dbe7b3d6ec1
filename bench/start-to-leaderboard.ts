/**
 * How long the embedded default takes from `npm start` (lpcv serve: SQLite, the local desktop agent, the
 * sample track) to scored baselines on the leaderboard. Each round starts the server as a child process on
 * a fresh data folder (first start: migrations, baselines queued, input pack built on first lease) and polls
 * GET /api/leaderboard/fashion-mnist every 50 ms.
 *
 *   node bin/run-ts.js bench/start-to-leaderboard.ts [--rounds 3] [--port 8123]
 *
 * Prints, per round: the time to "serving on" (the server answers), to the first entry, and to all six.
 */
import { execa } from 'execa';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { optionInt } from './bench-args.js';

const BIN = fileURLToPath(new URL('../bin/lpcv.js', import.meta.url));
const rounds = optionInt('rounds', 3);
const port = optionInt('port', 8123);

interface Round {
  serving: number;
  first: number;
  all: number;
}

async function round(): Promise<Round> {
  const dir = mkdtempSync(path.join(tmpdir(), 'lpcv-bench-start-'));
  const t0 = performance.now();
  const child = execa(process.execPath, [BIN, 'serve', '--port', String(port), '--data-dir', dir], {
    reject: false,
    stdin: 'ignore',
    env: { LPCV_DATABASE_URL: '' },
  });
  let serving = Number.NaN;
  child.stderr!.on('data', (c: Buffer) => {
    if (Number.isNaN(serving) && c.toString().includes('serving on')) serving = performance.now() - t0;
  });
  try {
    let first = Number.NaN;
    for (;;) {
      await new Promise((r) => setTimeout(r, 50));
      if (performance.now() - t0 > 600_000) throw new Error('no six entries within 10 minutes');
      let entries: unknown[];
      try {
        entries = ((await (await fetch(`http://127.0.0.1:${port}/api/leaderboard/fashion-mnist`)).json()) as { entries: unknown[] }).entries;
      } catch {
        continue;
      }
      if (entries.length >= 1 && Number.isNaN(first)) first = performance.now() - t0;
      if (entries.length >= 6) return { serving, first, all: performance.now() - t0 };
    }
  } finally {
    child.kill('SIGTERM');
    await child;
    rmSync(dir, { recursive: true, force: true });
  }
}

const s = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;
const results: Round[] = [];
for (let i = 0; i < rounds; i++) {
  const r = await round();
  results.push(r);
  console.log(`round ${i + 1}: serving after ${s(r.serving)}, first baseline on the leaderboard after ${s(r.first)}, all six after ${s(r.all)}`);
}
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
console.log(
  `median of ${rounds}: serving ${s(median(results.map((r) => r.serving)))}, first ${s(median(results.map((r) => r.first)))}, all six ${s(median(results.map((r) => r.all)))}`,
);
