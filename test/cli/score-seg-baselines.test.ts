/**
 * `lpcv score` on the fashion-seg baselines: the harness's mDice and mIoU on val equal what the training
 * script computed from PyTorch's logits with training/seg_metrics.py (baselines/fashion-seg/baselines.json), and
 * the PNG label maps of --predictions score the same through `lpcv evaluate --task segmentation`.
 *
 * PyTorch and onnxruntime sum in different orders, so a logit can move by an ulp and flip a pixel whose top two
 * logits are that close. The training script scores each export with the harness too and records, under
 * `harness`, its figures and the pixels whose argmax differs from PyTorch's (fcn_s: one pixel on val, a gap of
 * 6e-8 between its top two logits). Where none differs the figures must be PyTorch's exactly; where some do,
 * they must be the recorded harness figures, and within one image's weight per flipped pixel of PyTorch's.
 */
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, lpcv } from '../testing/run-lpcv.js';

interface SplitFigures {
  mdice: number;
  miou: number;
  count: number;
}
interface HarnessFigures {
  mdice: number;
  miou: number;
  pixels_differing: number;
}
interface Baseline {
  name: string;
  file: string;
  sha256: string;
  val: SplitFigures;
  test: SplitFigures;
  harness: { val: HarnessFigures; test: HarnessFigures };
}
interface BaselinesFile {
  trivial_all_background: { val: { mdice: number } };
  models: Baseline[];
}

const baselinesDir = path.join(ROOT, 'baselines/fashion-seg');
const doc = JSON.parse(readFileSync(path.join(baselinesDir, 'baselines.json'), 'utf8')) as BaselinesFile;
const baselines = doc.models;
const track = JSON.parse(readFileSync(path.join(ROOT, 'tracks/fashion-seg/track.json'), 'utf8')) as { baselines: { name: string }[] };
const tmp = mkdtempSync(path.join(os.tmpdir(), 'lpcv-score-seg-'));

// One trial of exactly 20 timed runs: the accuracy pass over the 200 val canvases is what is checked here.
const scoreArgs = (b: Baseline, extra: string[] = []): string[] => [
  'score',
  path.join(baselinesDir, b.file),
  '--track',
  'fashion-seg',
  '--split',
  'val',
  '--trials',
  '1',
  '--runs',
  '20',
  '--warmup',
  '2',
  '--json',
  ...extra,
];

describe('lpcv score on the fashion-seg baselines', () => {
  it('ships the two encoder-decoders the track lists, each clearly above an all-background answer', () => {
    expect(baselines.map((b) => b.name).sort()).toEqual(track.baselines.map((b) => b.name).sort());
    expect(baselines.length).toBeGreaterThanOrEqual(2);
    for (const b of baselines) {
      expect(b.val.count).toBe(200);
      expect(b.val.mdice).toBeGreaterThan(doc.trivial_all_background.val.mdice + 0.05);
    }
  });

  it.each(baselines)('$name: mDice and mIoU on val equal what PyTorch and seg_metrics.py recorded', async (b) => {
    const r = await lpcv(scoreArgs(b));
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const rec = JSON.parse(lines[0]!);
    expect(rec).toMatchObject({ track: 'fashion-seg', split: 'val', energy: null });
    expect(rec.model).toMatchObject({ sha256: b.sha256, format: 'onnx' });
    expect(rec.target).toMatchObject({ kind: 'desktop', threads: 1 });
    expect(rec.protocol).toMatchObject({ accuracyImages: 200, trials: 1, timedRuns: 20, warmupRuns: 2 });
    // The same definition, the same float64 accumulation order, the same argmax tie rule: equal, not close.
    const flipped = b.harness.val.pixels_differing;
    if (flipped === 0) {
      expect(rec.accuracy.mdice).toBe(b.val.mdice);
      expect(rec.accuracy.miou).toBe(b.val.miou);
    } else {
      expect(rec.accuracy).toEqual({ mdice: b.harness.val.mdice, miou: b.harness.val.miou });
      expect(Math.abs(rec.accuracy.mdice - b.val.mdice)).toBeLessThanOrEqual(flipped / b.val.count);
      expect(Math.abs(rec.accuracy.miou - b.val.miou)).toBeLessThanOrEqual(flipped / b.val.count);
    }
    // LPCVC 2023: mean Dice divided by the mean seconds per image.
    expect(rec.score).toMatchObject({ formula: 'lpcv2023-seg', version: 1, qualified: true });
    expect(rec.score.value).toBeCloseTo(rec.accuracy.mdice / (rec.latency.mean / 1000), 6);
  });

  it('writes PNG label maps that lpcv evaluate --task segmentation scores the same', async () => {
    const b = baselines[0]!;
    const pred = path.join(tmp, 'pred');
    const r = await lpcv(scoreArgs(b, ['--predictions', pred]));
    expect(r.exitCode).toBe(0);
    const rec = JSON.parse(r.stdout);
    expect(readdirSync(pred).filter((f) => f.endsWith('.png'))).toHaveLength(200);
    // Ground truth: the val split's 200 masks (canvases 00000-00199), linked into a folder of their own.
    const gt = path.join(tmp, 'gt');
    mkdirSync(gt);
    const masks = path.join(ROOT, 'tracks/fashion-canvases/data/masks');
    for (let i = 0; i < 200; i++) {
      const file = `${String(i).padStart(5, '0')}.png`;
      symlinkSync(path.join(masks, file), path.join(gt, file));
    }
    const ev = await lpcv(['evaluate', '--task', 'segmentation', '--gt', gt, '--pred', pred, '--track', 'fashion-seg', '--json']);
    expect(ev.exitCode).toBe(0);
    const report = JSON.parse(ev.stdout);
    expect(report).toMatchObject({ count: 200, numClasses: 11, skippedImages: 0 });
    expect(report.accuracy).toEqual({ mdice: rec.accuracy.mdice, miou: rec.accuracy.miou });
    expect(report.accuracy.mdice).toBe(b.harness.val.mdice);
  });
});
