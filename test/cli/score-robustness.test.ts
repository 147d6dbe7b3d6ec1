import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openInputs } from '../../harness/datasets/open-split.js';
import { loadTrackFile } from '../../harness/tracks/load-track.js';
import { ROOT, lpcv } from '../testing/run-lpcv.js';
import { sampleTrackJson, sampleTrackWithoutBaselines } from '../testing/sample-track.js';

/**
 * End to end: `lpcv score` on the fashion-mnist data with a robustness block on a small split, the real
 * baseline model, the real inference process. The adversarial set here is a stand-in supplied as data
 * (the split's images inverted, written as an IDX file): the harness does not make adversarial examples.
 */
const dataDir = path.join(ROOT, 'tracks/fashion-mnist');
const sample: Record<string, unknown> = sampleTrackJson();
const COUNT = 200;

async function writeTrack(): Promise<string> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'lpcv-robust-cli-'));
  const ds = sample.dataset as { images: string; labels: string };
  const rest = sampleTrackWithoutBaselines();
  const track = {
    ...rest,
    dataset: { format: 'idx', images: path.join(dataDir, ds.images), labels: path.join(dataDir, ds.labels) },
    splits: { small: { start: 0, count: COUNT, visibility: 'public' } },
    defaultSplit: 'small',
    score: { formula: 'expression', version: 1, params: { expr: 'top1 * robust_accuracy / latency_s' } },
    robustness: {
      of: 'small',
      seed: 1,
      corruptions: [
        { kind: 'gaussian-noise', severities: [1, 5] },
        { kind: 'gaussian-blur', severities: [3] },
        { kind: 'brightness', severities: [3] },
        { kind: 'contrast', severities: [3] },
        { kind: 'jpeg', severities: [5] },
      ],
      adversarial: [{ name: 'inverted', images: 'inverted-idx3-ubyte' }],
    },
  };
  const file = path.join(dir, 'track.json');
  writeFileSync(file, JSON.stringify(track));
  const clean = await openInputs(loadTrackFile(file), 'small');
  const head = Buffer.alloc(16);
  head.writeUInt32BE(0x803, 0);
  head.writeUInt32BE(COUNT, 4);
  head.writeUInt32BE(28, 8);
  head.writeUInt32BE(28, 12);
  const pixels: Buffer[] = [];
  for (let i = 0; i < COUNT; i++) pixels.push(Buffer.from((await clean.read(i)).data.map((v) => 255 - v)));
  writeFileSync(path.join(dir, 'inverted-idx3-ubyte'), Buffer.concat([head, ...pixels]));
  return file;
}

describe('lpcv score with robustness splits', () => {
  it('reports accuracy per robustness split, a robust accuracy below the clean one, and a formula that uses it', async () => {
    const file = await writeTrack();
    const model = path.join(ROOT, 'baselines/fashion-mnist/cnn_small.onnx');
    const r = await lpcv(['score', model, '--track', file, '--trials', '1', '--runs', '30', '--warmup', '2', '--json'], { timeoutMs: 300_000 });
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    const rec = JSON.parse(r.stdout.trim());
    const names = ['small~gaussian-noise-1', 'small~gaussian-noise-5', 'small~gaussian-blur-3', 'small~brightness-3', 'small~contrast-3', 'small~jpeg-5'];
    expect(rec.robustness.metric).toBe('top1');
    expect(Object.keys(rec.robustness.splits)).toEqual(names);
    expect(Object.keys(rec.robustness.adversarial)).toEqual(['small~inverted']);
    expect(rec.robustness.notMeasured).toBeUndefined();
    const top1 = rec.accuracy.top1 as number;
    const values = names.map((n) => rec.robustness.splits[n].top1 as number);
    for (const n of names) {
      // Accuracies are counts out of 200 images, each split with both metrics of the track.
      const correct = (rec.robustness.splits[n].top1 as number) * COUNT;
      expect(Math.abs(correct - Math.round(correct))).toBeLessThan(1e-9);
      expect(rec.robustness.splits[n]).toHaveProperty('top5');
    }
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    expect(rec.robustness.robustAccuracy).toBeCloseTo(mean, 12);
    expect(rec.robustness.robustAccuracy).toBeLessThan(top1);
    // Heavier noise hurts more; inverted clothes are mostly misread.
    expect(rec.robustness.splits['small~gaussian-noise-5'].top1).toBeLessThan(rec.robustness.splits['small~gaussian-noise-1'].top1);
    expect(rec.robustness.adversarial['small~inverted'].top1).toBeLessThan(top1);
    // The formula saw robust_accuracy: top1 * robust / mean seconds per image.
    expect(rec.score.value).toBeCloseTo((top1 * rec.robustness.robustAccuracy) / (rec.latency.mean / 1000), 6);
    // The clean split's latency alone was timed.
    expect(rec.latency.count).toBe(30);
    expect(rec.protocol.accuracyImages).toBe(COUNT);

    const skipped = await lpcv(['score', model, '--track', file, '--trials', '1', '--runs', '5', '--warmup', '1', '--no-robustness', '--json'], {
      timeoutMs: 120_000,
    });
    expect(skipped.exitCode).toBe(3); // LPCV_E_FORMULA_INPUT (exit 3): the formula needs robust_accuracy
    expect(skipped.stderr).toMatch(/LPCV_E_FORMULA_INPUT: .*robust_accuracy/);
  }, 400_000);
});
