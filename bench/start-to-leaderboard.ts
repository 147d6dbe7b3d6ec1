/**
 * How long the embedded default takes from `npm start` (lpcv serve: SQLite, the local desktop agent, the
 * sample tracks) to scored baselines on the leaderboards. Each round starts the server as a child process on
 * a fresh data folder (first start: migrations, baselines queued, input packs built on first lease) and polls
 * GET /api/leaderboard/<track> of every sample track every 50 ms.
 *
 *   node bin/run-ts.js bench/start-to-leaderboard.ts [--rounds 3] [--port 8123]
 *
 * Prints, per round: the time to "serving on" (the server answers), and per track to its first entry and to all
 * its baselines.
 */
import { execa } from 'execa';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { listBuiltinTracks, resolveTrack } from '../harness/tracks/load-track.js';
import { optionInt } from './bench-args.js';

const BIN = fileURLToPath(new URL('../bin/lpcv.js', import.meta.url));
const rounds = optionInt('rounds', 3);
const port = optionInt('port', 8123);

/** Each sample track with baselines, and how many it has (queued classification first: lpcv serve). */
const TRACKS = listBuiltinTracks()
  .map((name) => resolveTrack(name))
  .filter((t) => (t.baselines?.length ?? 0) > 0)
  .map((t) => ({ name: t.name, baselines: t.baselines!.length }));

interface Round {
  serving: number;
  /** Per track: ms to its first entry and to all its baselines. */
  tracks: Record<string, { first: number; all: number }>;
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
    const tracks: Round['tracks'] = Object.fromEntries(TRACKS.map((t) => [t.name, { first: Number.NaN, all: Number.NaN }]));
    for (;;) {
      await new Promise((r) => setTimeout(r, 50));
      if (performance.now() - t0 > 900_000) throw new Error('not every baseline within 15 minutes');
      for (const t of TRACKS) {
        const times = tracks[t.name]!;
        if (!Number.isNaN(times.all)) continue;
        let entries: unknown[];
        try {
          entries = ((await (await fetch(`http://127.0.0.1:${port}/api/leaderboard/${t.name}`)).json()) as { entries: unknown[] }).entries;
        } catch {
          continue;
        }
        if (entries.length >= 1 && Number.isNaN(times.first)) times.first = performance.now() - t0;
        if (entries.length >= t.baselines) times.all = performance.now() - t0;
      }
      if (Object.values(tracks).every((x) => !Number.isNaN(x.all))) return { serving, tracks };
    }
  } finally {
    child.kill('SIGTERM');
    await child;
    rmSync(dir, { recursive: true, force: true });
  }
}

const s = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;
const perTrack = (r: Round['tracks']): string =>
  TRACKS.map((t) => `${t.name} first ${s(r[t.name]!.first)}, all ${t.baselines} ${s(r[t.name]!.all)}`).join('; ');
const results: Round[] = [];
for (let i = 0; i < rounds; i++) {
  const r = await round();
  results.push(r);
  console.log(`round ${i + 1}: serving after ${s(r.serving)}; ${perTrack(r.tracks)}`);
}
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const medians = Object.fromEntries(
  TRACKS.map((t) => [t.name, { first: median(results.map((r) => r.tracks[t.name]!.first)), all: median(results.map((r) => r.tracks[t.name]!.all)) }]),
);
console.log(`median of ${rounds}: serving ${s(median(results.map((r) => r.serving)))}; ${perTrack(medians)}`);
