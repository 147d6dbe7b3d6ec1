/**
 * One process of bench/speed-modes.ts: loads one or more models in one onnxruntime-node process (each its own
 * session, with the desktop target's session options) and times them in blocks, printing one JSON line: each
 * block's session index, median in ms and start (ms since the first timed block), and the process's facts (pid,
 * start time, the core it ended on, its heap address as /proc/self/maps shows it). With two sessions the blocks
 * alternate 0 1 1 0 0 1 1 0 ... (the protocol's S R R S), so each goes first as often as second; with one, every
 * block is session 0. The same file may be given twice: two sessions of one model. Not a test.
 *
 *   node bin/run-ts.js bench/speed-modes-child.ts BLOCKS RUNS_PER_BLOCK A.onnx [B.onnx]
 */
import { readFileSync } from 'node:fs';
import ort from 'onnxruntime-node';
import { sessionOptions } from '../devices/desktop/session-options.js';
import { mulberry32 } from '../scoring/mulberry32.js';

const [blocksText, runsText, ...files] = process.argv.slice(2);
const blocks = Number(blocksText);
const runs = Number(runsText);
if (!Number.isInteger(blocks) || !Number.isInteger(runs) || files.length < 1 || files.length > 2) {
  throw new Error('usage: speed-modes-child.ts BLOCKS RUNS_PER_BLOCK A.onnx [B.onnx]');
}
const startedAt = Date.now();
const sessions: ort.InferenceSession[] = [];
for (const f of files) sessions.push(await ort.InferenceSession.create(f, sessionOptions(1)));
const random = mulberry32(42);
const inputs = Array.from(
  { length: 64 },
  () =>
    new ort.Tensor(
      'float32',
      Float32Array.from({ length: 784 }, () => random() * 2 - 1),
      [1, 1, 28, 28],
    ),
);

async function timeBlock(which: number, n: number): Promise<number> {
  const s = sessions[which]!;
  const feedName = s.inputNames[0]!;
  const samples = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const feeds = { [feedName]: inputs[i % inputs.length]! };
    const t0 = process.hrtime.bigint();
    await s.run(feeds);
    samples[i] = Number(process.hrtime.bigint() - t0) / 1e6;
  }
  samples.sort();
  return samples[Math.floor(n / 2)]!;
}

for (let i = 0; i < sessions.length; i++) await timeBlock(i, 50);
const out: { session: number; p50: number; atMs: number }[] = [];
const t0 = process.hrtime.bigint();
for (let b = 0; b < blocks; b++) {
  const which = sessions.length === 1 || b % 4 === 0 || b % 4 === 3 ? 0 : 1;
  const atMs = Number(process.hrtime.bigint() - t0) / 1e6;
  out.push({ session: which, p50: await timeBlock(which, runs), atMs });
}
const stat = readFileSync('/proc/self/stat', 'utf8');
const core = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[36]);
const maps = readFileSync('/proc/self/maps', 'utf8').split('\n');
const heap = maps.find((l) => l.endsWith('[heap]'))?.split('-')[0] ?? '?';
console.log(JSON.stringify({ pid: process.pid, startedAt, core, heap, blocks: out }));
