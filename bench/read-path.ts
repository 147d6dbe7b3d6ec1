/**
 * The server's per-request work on two hot paths (issue 16, items 2 and 3), in interleaved rounds:
 *  - a completion's label load: the hidden split's labels as loadLabels built them before (every id of the
 *    10,000-image data set made, then sliced), as it builds them now (the split's ids only), and from the
 *    server's LabelCache (server/scoring/label-cache.ts; a hit costs the data files' stat);
 *  - `GET /api/leaderboard/:track`: K sequential anonymous reads of a board of N results, over real HTTP from
 *    an in-process server on SQLite (the board is rebuilt at every read).
 * Prints each figure's median over rounds (of per-round medians), and min/max across rounds.
 *
 *   node bin/run-ts.js bench/read-path.ts [--results 200] [--reads 200] [--loads 200] [--rounds 5] [--hidden 16]
 */
import { performance } from 'node:perf_hooks';
import { loadLabels } from '../harness/datasets/open-split.js';
import { idxInputs, readIdxImages, readIdxLabels } from '../harness/datasets/idx.js';
import type { LabelSet } from '../harness/datasets/types.js';
import type { Track } from '../harness/tracks/track.js';
import { finishQueuedJobs, resultRecord } from '../server/leaderboard/testing/results.js';
import { revealTrack } from '../server/leaderboard/index.js';
import { LabelCache } from '../server/scoring/label-cache.js';
import { newSubmissionId, recordSubmission } from '../server/submissions/submissions-table.js';
import type { AcceptedSubmission } from '../submissions/intake/accept-submission.js';
import { optionInt } from './bench-args.js';
import { startBenchServer } from './queue-bench-server.js';
import { resolve } from 'node:path';

const results = optionInt('results', 200);
const reads = optionInt('reads', 200);
const loads = optionInt('loads', 200);
const rounds = optionInt('rounds', 5);
const hidden = optionInt('hidden', 16);

/** loadLabels of an IDX track as it was before this change (open-split.ts): every id of the data set, then sliced. */
async function loadLabelsBefore(track: Track, split: string): Promise<LabelSet> {
  const ds = track.dataset;
  if (ds.format !== 'idx') throw new Error('the bench track is IDX');
  const { start, count } = track.splits[split]!;
  const [images, { labels }] = await Promise.all([readIdxImages(resolve(track.dir, ds.images)), readIdxLabels(resolve(track.dir, ds.labels))]);
  const ids = idxInputs(images).ids.slice(start, start + count);
  const picked = Array.from(labels.subarray(start, start + count));
  picked.forEach((label) => {
    if (label >= track.classes.length) throw new Error('bad label');
  });
  return { task: 'classification', ids, labels: picked };
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/** Per-call times (ms) of `n` sequential calls. */
async function timeCalls(n: number, call: () => Promise<unknown>): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await call();
    times.push(performance.now() - t0);
  }
  return times;
}

const server = await startBenchServer({ database: 'sqlite', postgresUrl: '', teams: results, agents: 0, hiddenCount: hidden });
try {
  const track = server.track;
  const accepted = { sha256: '0'.repeat(64), bytes: 100, format: 'onnx', filename: 'model.onnx' } as AcceptedSubmission;
  const chosen = new Map<string, ReturnType<typeof resultRecord>>();
  const t = Date.now();
  for (let i = 0; i < results; i++) {
    const id = newSubmissionId();
    const teamId = i + 1;
    await recordSubmission(server.db, { id, teamId, track, description: `bench ${i}`, accepted }, t);
    chosen.set(id, resultRecord(track.name, 'test', { top1: 0.5 + (i % 97) / 200, p50: 1 + (i % 13), score: 0.1 + (i % 89) / 100 }));
  }
  const finished = await finishQueuedJobs(server.db, chosen, t);
  // Revealed, so that an anonymous reader sees (and the server renders) every entry.
  await revealTrack(server.db, track.name, 'bench', t);
  const probe = (await (await fetch(`${server.url}/api/leaderboard/${track.name}`)).json()) as { entries: unknown[] };
  if (finished !== results || probe.entries.length !== results) throw new Error(`seeded ${finished} results, the board shows ${probe.entries.length}`);

  const cache = new LabelCache();
  const figures: Record<string, number[]> = {
    'labels before (build all ids, slice)': [],
    'labels now (split ids only)': [],
    'labels cached (LabelCache hit)': [],
    'GET /api/leaderboard/:track': [],
  };
  const same = JSON.stringify(await loadLabelsBefore(track, 'test'));
  if (JSON.stringify(await loadLabels(track, 'test')) !== same || JSON.stringify(await cache.load(track, 'test')) !== same)
    throw new Error('the label loads differ');
  for (let r = 0; r < rounds; r++) {
    figures['labels before (build all ids, slice)']!.push(median(await timeCalls(loads, () => loadLabelsBefore(track, 'test'))));
    figures['labels now (split ids only)']!.push(median(await timeCalls(loads, () => loadLabels(track, 'test'))));
    figures['labels cached (LabelCache hit)']!.push(median(await timeCalls(loads, () => cache.load(track, 'test'))));
    figures['GET /api/leaderboard/:track']!.push(
      median(
        await timeCalls(reads, async () => {
          const res = await fetch(`${server.url}/api/leaderboard/${track.name}`);
          if (res.status !== 200) throw new Error(`GET board: ${res.status}`);
          await res.arrayBuffer();
        }),
      ),
    );
  }
  console.log(`read path: SQLite, ${results} results on the board, hidden split of ${hidden} of 10,000 images; ${rounds} interleaved rounds`);
  console.log(`  (per round: ${loads} sequential label loads each way, ${reads} sequential board reads; figures are ms per call)`);
  for (const [name, perRound] of Object.entries(figures)) {
    const f = (x: number): string => x.toFixed(3);
    console.log(`  ${name.padEnd(40)} median ${f(median(perRound))}  min ${f(Math.min(...perRound))}  max ${f(Math.max(...perRound))}`);
  }
  if (server.internalErrors.length > 0) throw new Error(`the server logged ${server.internalErrors.length} internal errors`);
} finally {
  await server.close();
}
