/**
 * Harness overhead benchmark (not a test): is the latency that `lpcv score` reports the latency of the
 * model, or of the harness? For each baseline it runs, side by side in one process tree and interleaved in
 * rounds (the machine is shared and noisy, so only ratios measured together mean anything):
 *   - a bare onnxruntime-node loop in this process: same model, same session options, same inputs, timed
 *     around session.run() with process.hrtime.bigint();
 *   - the real `lpcv score --json --runs N` as a child process, reading latency.p50 from its record.
 * and reports the ratio of the medians, plus the wall time of a whole default `lpcv score` on the val split.
 *
 * Pin it to one core (`taskset -c 1 node bin/run-ts.js bench/overhead.ts ...`): unpinned, each process may
 * settle into one of two speeds up to 50% apart (docs/benchmarks.md).
 *
 *   node bin/run-ts.js bench/overhead.ts [--runs 2000] [--rounds 3] [--models hardnet_s,resnet_s] [--dir baselines/fashion-mnist]
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ort from 'onnxruntime-node';
import { openInputs } from '../harness/datasets/open-split.js';
import { toInputTensor } from '../harness/preprocess/to-tensor.js';
import { resolveTrack } from '../harness/tracks/load-track.js';
import { latencyStats } from '../scoring/latency-stats.js';
import { optionText } from './bench-args.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const runs = Number(optionText('runs', '2000'));
const rounds = Number(optionText('rounds', '3'));
const dir = path.resolve(optionText('dir', path.join(root, 'baselines/fashion-mnist')));
const baselines = JSON.parse(readFileSync(path.join(dir, 'baselines.json'), 'utf8')) as {
  models: { name: string; file: string }[];
};
const names = optionText('models', baselines.models.map((m) => m.name).join(',')).split(',');

const track = resolveTrack('fashion-mnist');
const inputs = await openInputs(track, 'val');
const pool: Float32Array[] = [];
for (let i = 0; i < Math.min(256, inputs.ids.length); i++) pool.push((await toInputTensor(await inputs.read(i), track.input)) as Float32Array);

async function bareLoop(modelPath: string): Promise<number[]> {
  const session = await ort.InferenceSession.create(modelPath, {
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
    executionProviders: ['cpu'],
  });
  const inputName = session.inputNames[0]!;
  const outputName = session.outputNames[0]!;
  const tensors = pool.map((d) => new ort.Tensor('float32', d, [1, 1, 28, 28]));
  for (let i = 0; i < track.protocol.warmupRuns; i++) await session.run({ [inputName]: tensors[i % tensors.length]! }, [outputName]);
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const feeds = { [inputName]: tensors[i % tensors.length]! };
    const t0 = process.hrtime.bigint();
    await session.run(feeds, [outputName]);
    samples.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  await session.release();
  return samples;
}

function lpcvScore(modelPath: string, extra: string[]): { p50: number; wallS: number; top1: number } {
  const t0 = process.hrtime.bigint();
  const out = execFileSync(
    process.execPath,
    [path.join(root, 'bin/lpcv.js'), 'score', modelPath, '--track', 'fashion-mnist', '--split', 'val', '--json', ...extra],
    {
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  const wallS = Number(process.hrtime.bigint() - t0) / 1e9;
  const rec = JSON.parse(out) as { latency: { p50: number }; accuracy: { top1: number } };
  return { p50: rec.latency.p50, wallS, top1: rec.accuracy.top1 };
}

const median = (xs: number[]): number => latencyStats(xs).p50;
console.log(`harness overhead: ${rounds} rounds x (bare loop, lpcv score) of ${runs} timed runs each, 1 thread, val inputs`);
console.log(`node ${process.version}, onnxruntime-node ${ort.env.versions.node}`);
console.log('');
console.log('model       bare p50 ms  lpcv p50 ms  ratio   whole lpcv score (default protocol) s');
const rows: Record<string, unknown>[] = [];
for (const name of names) {
  const m = baselines.models.find((b) => b.name === name);
  if (!m) throw new Error(`no baseline ${name}`);
  const modelPath = path.join(dir, m.file);
  const bare: number[] = [];
  const harness: number[] = [];
  for (let r = 0; r < rounds; r++) {
    bare.push(median(await bareLoop(modelPath)));
    harness.push(lpcvScore(modelPath, ['--runs', String(runs)]).p50);
  }
  const whole = lpcvScore(modelPath, []);
  const b = median(bare);
  const h = median(harness);
  const ratio = h / b;
  rows.push({ model: name, bareP50Ms: b, lpcvP50Ms: h, ratio, wholeScoreSeconds: whole.wallS, bareRounds: bare, lpcvRounds: harness });
  console.log(`${name.padEnd(11)} ${b.toFixed(4).padStart(11)}  ${h.toFixed(4).padStart(11)}  ${ratio.toFixed(3)}   ${whole.wallS.toFixed(1)}`);
}
console.log('');
console.log(JSON.stringify({ runs, rounds, rows }));
