import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import type { LayerProfile } from '../../harness/layer-profile.js';
import { modelCost, readOnnxModel } from '../../submissions/onnx/index.js';
import { rejectionOf } from '../../test/testing/lpcv-errors.js';
import { encodeModel, rawValueInfo } from '../../test/testing/onnx-fixtures.js';
import { profileOnnx, type ProfileOnnxOptions } from './profile-layers.js';

const fixtures = fileURLToPath(new URL('../../test/fixtures/onnx/', import.meta.url));
const baselines = fileURLToPath(new URL('../../baselines/fashion-mnist/', import.meta.url));
const SHAPE = [1, 1, 28, 28];
const inputs = [new Float32Array(784).fill(0.25), new Float32Array(784).fill(0.75)];

function options(modelPath: string, more: Partial<ProfileOnnxOptions> = {}): ProfileOnnxOptions {
  return { modelPath, inputName: 'input', inputs, shape: SHAPE, dtype: 'float32', threads: 1, runs: 8, timeoutMs: 60_000, ...more };
}

/** What `lpcv inspect` says of each node (cli/commands/inspect.ts: modelCost at batch 1). */
function inspect(file: string): Map<string, { op: string; macs: number; cio: number | null }> {
  const cost = modelCost(readOnnxModel(readFileSync(file), file), { batch: 1 });
  return new Map(cost.layers.map((l) => [l.name, { op: l.op, macs: l.macs, cio: l.cio }]));
}

/** This process's children running the profiling worker (they are gone once a profile settles). */
function profileWorkers(): number[] {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .flatMap((pid) => {
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
        return ppid === process.pid && readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('profile-worker') ? [Number(pid)] : [];
      } catch {
        return []; // exited while being read
      }
    });
}

// This process's trace folders only: other test files profile at the same time (every desktop run does).
const traceDirs = (): string[] => readdirSync(os.tmpdir()).filter((d) => d.startsWith(`lpcv-profile-${process.pid}-`));

async function until(check: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function expectSound(p: LayerProfile, runs: number): void {
  expect(p.runs).toBe(runs);
  expect(p.totalMs).toBeGreaterThan(0);
  expect(p.nodes.length).toBeGreaterThan(0);
  expect(p.nodes.length).toBeLessThanOrEqual(25);
  for (const n of p.nodes) {
    expect(Number.isFinite(n.ms) && n.ms >= 0, n.name).toBe(true);
    expect(n.share).toBeCloseTo(n.ms / p.totalMs, 12);
  }
  expect(p.nodes[0]!.ms).toBeGreaterThan(0);
  // Most time first.
  expect(p.nodes.map((n) => n.ms)).toEqual([...p.nodes.map((n) => n.ms)].sort((a, b) => b - a));
}

describe('the measured per-layer profile (onnxruntime profiler in its own process)', () => {
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'lpcv-loop-model-'));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it("profiles a baseline: the graph's names, every Conv matched with inspect's MACs and CIO, shares summing to 1", async () => {
    const file = path.join(baselines, 'resnet_s.onnx');
    const before = traceDirs();
    const p = await profileOnnx(options(file, { runs: 10 }));
    expectSound(p, 10);
    const graph = inspect(file);
    // resnet_s runs as 13 kernels (under 25), so every kernel is kept and the shares cover all the time.
    expect(p.nodes.reduce((s, n) => s + n.share, 0)).toBeCloseTo(1, 9);
    // onnxruntime renames what it fuses (on x86 a Conv + Relu runs as `<the Relu's output>_nchwc`); each of
    // the model's 9 Convs still leads to its own graph node, named as inspect names it.
    const convs = p.nodes.filter((n) => n.op === 'Conv');
    expect(convs.map((n) => n.name).sort()).toEqual(
      [...graph]
        .filter(([, l]) => l.op === 'Conv')
        .map(([name]) => name)
        .sort(),
    );
    for (const n of convs) {
      expect(n.ms, n.name).toBeGreaterThan(0);
      expect({ macs: n.macs, cio: n.cio }, n.name).toEqual({ macs: graph.get(n.name)!.macs, cio: graph.get(n.name)!.cio });
    }
    // By hand: 16 output channels x 28 x 28 x (1 input channel x 3 x 3); CIO 1x28x28 in + 16x28x28 out.
    expect(convs.find((n) => n.name === '/stem/stem.0/stem.0.0/Conv')).toMatchObject({ macs: 16 * 28 * 28 * 9, cio: 784 + 16 * 784 });
    // A kernel with a name is the graph's node, or one onnxruntime added (a layout conversion) with no costs.
    for (const n of p.nodes) {
      if (graph.has(n.name)) expect(n.macs, n.name).not.toBeNull();
      else expect({ name: n.name, macs: n.macs, cio: n.cio }).toEqual({ name: expect.stringMatching(/^Reorder(Input|Output)/), macs: null, cio: null });
    }
    expect(profileWorkers()).toEqual([]);
    expect(traceDirs()).toEqual(before);
  });

  it('profiles a test fixture (tiny-conv): its Conv and Gemm under their own names, beside their MACs', async () => {
    const file = path.join(fixtures, 'tiny-conv.onnx');
    const p = await profileOnnx(options(file, { runs: 5 }));
    expectSound(p, 5);
    expect(p.nodes.reduce((s, n) => s + n.share, 0)).toBeCloseTo(1, 9);
    const graph = inspect(file);
    expect(p.nodes.find((n) => n.name === 'conv')).toMatchObject({ op: 'Conv', macs: 8 * 28 * 28 * 9, cio: graph.get('conv')!.cio });
    expect(p.nodes.find((n) => n.name === 'fc')).toMatchObject({ op: 'Gemm', macs: 8 * 10, cio: null });
    for (const n of p.nodes) expect(graph.has(n.name) || /^Reorder(Input|Output)/.test(n.name), n.name).toBe(true);
  });

  it('leads each fused kernel to its Conv: a Conv with its BatchNormalization and Relu, a Conv with a residual Add', async () => {
    const file = path.join(scratch, 'conv-bn-residual.onnx');
    writeFileSync(file, convBnResidualModel());
    const p = await profileOnnx(options(file, { inputName: 'x', runs: 5 }));
    expectSound(p, 5);
    const graph = inspect(file);
    for (const name of ['conv', 'conv2']) {
      expect(
        p.nodes.find((n) => n.name === name),
        name,
      ).toMatchObject({ macs: graph.get(name)!.macs, cio: graph.get(name)!.cio });
    }
    expect(graph.get('conv2')!.macs).toBe(8 * 28 * 28 * 8 * 9);
    // What was fused into them has no row of its own: its time is in theirs.
    for (const fused of ['bn', 'relu']) expect(p.nodes.map((n) => n.name)).not.toContain(fused);
  });

  it('keeps the 25 slowest of more kernels, their shares of the time of all', async () => {
    const file = path.join(scratch, 'relu-chain.onnx');
    // 64 Ki values: every Relu takes some microseconds, so the 5 left out have time too.
    const shape = [1, 16, 64, 64];
    writeFileSync(file, reluChainModel(30, shape));
    const p = await profileOnnx(options(file, { inputName: 'x', inputs: [new Float32Array(16 * 64 * 64).fill(0.5)], shape, runs: 5 }));
    expectSound(p, 5);
    expect(p.nodes).toHaveLength(25);
    expect(new Set(p.nodes.map((n) => n.name)).size).toBe(25);
    for (const n of p.nodes) expect(n).toMatchObject({ name: expect.stringMatching(/^relu_\d+$/), op: 'Relu', macs: 0, cio: null });
    const kept = p.nodes.reduce((s, n) => s + n.share, 0);
    expect(kept).toBeLessThan(1);
    expect(kept).toBeGreaterThan(0);
  });

  it("counts a Loop's body inside the Loop, once: the body's nodes are not rows of their own", async () => {
    const file = path.join(scratch, 'loop.onnx');
    writeFileSync(file, loopModel());
    const p = await profileOnnx(options(file, { inputName: 'x', runs: 5 }));
    expectSound(p, 5);
    expect(p.nodes.map((n) => n.name).sort()).toEqual(['after', 'loop']);
    expect(p.nodes.reduce((s, n) => s + n.share, 0)).toBeCloseTo(1, 9);
    expect(p.nodes[0]).toMatchObject({ name: 'loop', op: 'Loop' });
  });

  it('kills a model that never finishes at the time limit (LPCV_E_MODEL_TIMEOUT), leaving no process and no trace', async () => {
    const before = traceDirs();
    const t0 = Date.now();
    const e = await rejectionOf(profileOnnx(options(path.join(fixtures, 'hang.onnx'), { timeoutMs: 1500 })));
    expect(e.code).toBe('LPCV_E_MODEL_TIMEOUT');
    expect(e.fault).toBe('submission');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1500);
    expect(Date.now() - t0).toBeLessThan(30_000);
    expect(profileWorkers()).toEqual([]);
    expect(traceDirs()).toEqual(before);
  });

  it('kills the profiling process on abort (LPCV_E_RUN_CANCELLED), and never starts one for an aborted signal', async () => {
    const before = traceDirs();
    const abort = new AbortController();
    const pending = profileOnnx(options(path.join(fixtures, 'hang.onnx'), { signal: abort.signal }));
    await until(() => profileWorkers().length === 1, 30_000);
    const [pid] = profileWorkers();
    abort.abort();
    const e = await rejectionOf(pending);
    expect(e.code).toBe('LPCV_E_RUN_CANCELLED');
    expect(e.fault).toBe('infrastructure');
    expect(() => process.kill(pid!, 0)).toThrow();
    expect(profileWorkers()).toEqual([]);
    expect(traceDirs()).toEqual(before);

    const again = await rejectionOf(profileOnnx(options(path.join(baselines, 'mlp.onnx'), { signal: abort.signal })));
    expect(again.code).toBe('LPCV_E_RUN_CANCELLED');
    expect(profileWorkers()).toEqual([]);
  });
});

/** x -> Conv -> BatchNormalization -> Relu -> Conv -> Add (the first Relu's output) -> Relu -> GlobalAveragePool. */
function convBnResidualModel(): Uint8Array {
  const weights = (name: string, dims: number[], v: number): object => ({
    name,
    dims,
    dataType: 1,
    floatData: new Array(dims.reduce((a, b) => a * b, 1)).fill(v),
  });
  const pads = { name: 'pads', type: 7, ints: [1, 1, 1, 1] };
  return encodeModel({
    irVersion: 8,
    opsetImport: [{ domain: '', version: 13 }],
    graph: {
      name: 'conv-bn-residual',
      node: [
        { name: 'conv', opType: 'Conv', input: ['x', 'w'], output: ['c'], attribute: [pads] },
        { name: 'bn', opType: 'BatchNormalization', input: ['c', 'scale', 'bias', 'mean', 'var'], output: ['b'] },
        { name: 'relu', opType: 'Relu', input: ['b'], output: ['r'] },
        { name: 'conv2', opType: 'Conv', input: ['r', 'w2'], output: ['c2'], attribute: [pads] },
        { name: 'residual', opType: 'Add', input: ['c2', 'r'], output: ['a'] },
        { name: 'relu2', opType: 'Relu', input: ['a'], output: ['r2'] },
        { name: 'pool', opType: 'GlobalAveragePool', input: ['r2'], output: ['y'] },
      ],
      initializer: [
        weights('w', [8, 1, 3, 3], 0.1),
        weights('scale', [8], 1),
        weights('bias', [8], 0),
        weights('mean', [8], 0),
        weights('var', [8], 1),
        weights('w2', [8, 8, 3, 3], 0.1),
      ],
      input: [rawValueInfo('x', SHAPE)],
      output: [rawValueInfo('y', [1, 8, 1, 1])],
    },
  });
}

/** x -> Relu -> Relu ... (`n` of them): as many kernels on every platform, nothing for onnxruntime to fuse. */
function reluChainModel(n: number, shape: number[]): Uint8Array {
  const node = Array.from({ length: n }, (_, i) => ({
    name: `relu_${i}`,
    opType: 'Relu',
    input: [i === 0 ? 'x' : `r${i - 1}`],
    output: [i === n - 1 ? 'y' : `r${i}`],
  }));
  return encodeModel({
    irVersion: 8,
    opsetImport: [{ domain: '', version: 13 }],
    graph: { name: 'relu-chain', node, input: [rawValueInfo('x', shape)], output: [rawValueInfo('y', shape)] },
  });
}

/** x -> Loop (3 trips of Neg, Neg) -> Relu: a model with a subgraph, whose kernels the profiler records too. */
function loopModel(): Uint8Array {
  const body = {
    name: 'body',
    node: [
      { name: 'keep_going', opType: 'Identity', input: ['cond_in'], output: ['cond_out'] },
      { name: 'neg_1', opType: 'Neg', input: ['v_in'], output: ['v_neg'] },
      { name: 'neg_2', opType: 'Neg', input: ['v_neg'], output: ['v_out'] },
    ],
    input: [rawValueInfo('iter', [], 7), rawValueInfo('cond_in', [], 9), rawValueInfo('v_in', SHAPE)],
    output: [rawValueInfo('cond_out', [], 9), rawValueInfo('v_out', SHAPE)],
  };
  return encodeModel({
    irVersion: 8,
    opsetImport: [{ domain: '', version: 13 }],
    graph: {
      name: 'loop',
      node: [
        { name: 'loop', opType: 'Loop', input: ['trips', 'cond', 'x'], output: ['looped'], attribute: [{ name: 'body', type: 5, g: body }] },
        { name: 'after', opType: 'Relu', input: ['looped'], output: ['y'] },
      ],
      initializer: [
        { name: 'trips', dims: [], dataType: 7, int64Data: [3] },
        { name: 'cond', dims: [], dataType: 9, int32Data: [1] },
      ],
      input: [rawValueInfo('x', SHAPE)],
      output: [rawValueInfo('y', SHAPE)],
    },
  });
}
