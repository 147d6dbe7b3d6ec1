import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, lpcv } from '../testing/run-lpcv.js';

const tinyConv = path.join(ROOT, 'test/fixtures/onnx/tiny-conv.onnx');

describe('lpcv inspect, validate and tracks', () => {
  it('inspect --json gives the hand-computed params, MACs and CIO of tiny-conv', async () => {
    const r = await lpcv(['inspect', tinyConv, '--json']);
    expect(r.exitCode).toBe(0);
    const cost = JSON.parse(r.stdout);
    // conv 1->8, 3x3, pad 1 on 28x28: 8*9 + 8 = 80 params, 8*28*28*9 = 56,448 MACs; fc 8->10: 90 params, 80 MACs.
    expect(cost.params).toBe(170);
    expect(cost.macs).toBe(56_528);
    // CIO of the one conv: input 1*28*28 + output 8*28*28 = 7,056; MoC 56,448 / 7,056 = 8.
    expect(cost.cio).toBe(7056);
    expect(cost.moc).toBe(8);
    expect(cost.layers.find((l: { op: string }) => l.op === 'Conv')).toMatchObject({ outputShape: [1, 8, 28, 28], macs: 56_448, cio: 7056 });
  });

  it('inspect prints a per-layer table and the totals', async () => {
    const r = await lpcv(['inspect', tinyConv]);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/^conv +Conv +1x1x28x28 +1x8x28x28 +80 +56,448 +7,056 +8\.00$/m);
    expect(r.stdout).toContain('params 170   MACs 56,528   CIO 7,056   MoC 8.00');
  });

  it('validate --json says ok for a fitting model, with a warning for a differently named output', async () => {
    const r = await lpcv(['validate', tinyConv, '--track', 'fashion-mnist', '--json']);
    expect(r.exitCode).toBe(0);
    const rep = JSON.parse(r.stdout);
    expect(rep).toMatchObject({ ok: true, problems: [], model: { format: 'onnx' } });
    expect(rep.input).toMatchObject({ name: 'input', dtype: 'float32' });
    expect(rep.warnings.join(' ')).toMatch(/only output/);
  });

  it('validate lists every problem of a model that fits nothing', async () => {
    const r = await lpcv(['validate', path.join(ROOT, 'test/fixtures/onnx/wrong-input.onnx'), '--track', 'fashion-mnist', '--json']);
    expect(r.exitCode).toBe(5);
    const answer = JSON.parse(r.stdout);
    expect(answer.error).toMatchObject({ code: 'LPCV_E_MODEL_INPUT_SHAPE', fault: 'submission' });
    // One problem per wrong dimension of [1, 3, 32, 32] against [1, 1, 28, 28].
    expect(answer.problems.map((p: { message: string }) => p.message.replace(/.*: /, ''))).toEqual([
      'dimension 1 is 3, expected 1',
      'dimension 2 is 32, expected 28',
      'dimension 3 is 32, expected 28',
    ]);
  });

  it('tracks lists the sample track with its splits', async () => {
    const r = await lpcv(['tracks', '--json']);
    expect(r.exitCode).toBe(0);
    const { tracks } = JSON.parse(r.stdout);
    const fm = tracks.find((t: { name: string }) => t.name === 'fashion-mnist');
    expect(fm).toMatchObject({ task: 'classification', splits: { val: { count: 2000, visibility: 'public' }, test: { count: 8000, visibility: 'hidden' } } });
    const text = await lpcv(['tracks']);
    expect(text.stdout).toMatch(/^fashion-mnist +classification +val 2000, test 8000 \(hidden\)/m);
  });
});
