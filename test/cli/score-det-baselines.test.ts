import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, lpcv } from '../testing/run-lpcv.js';

/**
 * The fashion-det track's SSD baselines scored by the real `lpcv score`: onnxruntime's raw heads decoded by the
 * harness (harness/detection/) and scored with COCO mAP must give the numbers that training/train_detectors.py
 * computed from PyTorch's heads with its port of the decoding (training/ssd_boxes.py) and training/coco_eval.py.
 */
interface SplitMap {
  map: number;
  map50: number;
  detections: number;
  images: number;
}
interface Baseline {
  name: string;
  file: string;
  sha256: string;
  val: SplitMap;
  test: SplitMap;
}

const baselinesDir = path.join(ROOT, 'baselines/fashion-det');
const doc = JSON.parse(readFileSync(path.join(baselinesDir, 'baselines.json'), 'utf8')) as { models: Baseline[]; surrogate: Baseline | null };
const baselines = doc.models;
const track = JSON.parse(readFileSync(path.join(ROOT, 'tracks/fashion-det/track.json'), 'utf8')) as {
  baselines: { name: string; file: string }[];
  protocol: { reference: string };
};
const tmp = mkdtempSync(path.join(os.tmpdir(), 'lpcv-score-det-'));

async function scoreVal(
  file: string,
  extra: string[] = [],
): Promise<{ rec: Record<string, unknown> & { accuracy: { map: number; map50: number } }; stderr: string; exitCode: number }> {
  const r = await lpcv(['score', file, '--track', 'fashion-det', '--split', 'val', '--trials', '1', '--runs', '20', '--warmup', '2', '--json', ...extra]);
  return { rec: r.exitCode === 0 ? JSON.parse(r.stdout) : { accuracy: { map: NaN, map50: NaN } }, stderr: r.stderr, exitCode: r.exitCode };
}

describe('lpcv score on the fashion-det baselines', () => {
  it('ships an SSD with a HarDNet-style and one with a VGG-style backbone, all listed in the track, and the surrogate apart', () => {
    expect(baselines.map((b) => b.name)).toEqual(expect.arrayContaining(['ssd_hardnet', 'ssd_vgg']));
    expect(track.baselines.map((b) => b.name)).toEqual(baselines.map((b) => b.name));
    expect(track.baselines.map((b) => b.name)).toContain(track.protocol.reference);
    // The adversarial sets' surrogate is not a baseline: the transfer attack must not know the attacked models.
    expect(doc.surrogate).not.toBeNull();
    expect(track.baselines.map((b) => b.name)).not.toContain(doc.surrogate!.name);
  });

  it.each(baselines)('$name: mAP and mAP50 on val equal what PyTorch recorded', async (b) => {
    const { rec, stderr, exitCode } = await scoreVal(path.join(baselinesDir, b.file));
    expect(stderr).toBe('');
    expect(exitCode).toBe(0);
    expect(rec).toMatchObject({ track: 'fashion-det', split: 'val', model: { sha256: b.sha256, format: 'onnx' } });
    expect(rec.accuracy.map).toBe(b.val.map);
    expect(rec.accuracy.map50).toBe(b.val.map50);
    expect(b.val.map).toBeGreaterThan(0.1);
  });

  it('writes COCO results that lpcv evaluate scores the same against the ground truth of the split', async () => {
    const b = baselines.find((m) => m.name === 'ssd_hardnet')!;
    const pred = path.join(tmp, 'detections.json');
    const { rec, exitCode } = await scoreVal(path.join(baselinesDir, b.file), ['--predictions', pred]);
    expect(exitCode).toBe(0);
    // The annotations file holds all 700 canvases: restricted to the val split's 200 images (ids 1-200, the
    // first 200 by id), as the harness restricts it, the evaluation is the score's.
    const gt = JSON.parse(readFileSync(path.join(ROOT, 'tracks/fashion-canvases/data/annotations.json'), 'utf8')) as {
      images: { id: number }[];
      annotations: { image_id: number }[];
    };
    const images = [...gt.images].sort((x, y) => x.id - y.id).slice(0, 200);
    const keep = new Set(images.map((im) => im.id));
    const valGt = path.join(tmp, 'val-gt.json');
    writeFileSync(valGt, JSON.stringify({ ...gt, images, annotations: gt.annotations.filter((a) => keep.has(a.image_id)) }));
    const dets = JSON.parse(readFileSync(pred, 'utf8')) as unknown[];
    expect(dets).toHaveLength(b.val.detections);
    const ev = await lpcv(['evaluate', '--task', 'detection', '--gt', valGt, '--pred', pred, '--json']);
    expect(ev.exitCode).toBe(0);
    const report = JSON.parse(ev.stdout) as { accuracy: { map: number; map50: number } };
    expect(report.accuracy.map).toBe(rec.accuracy.map);
    expect(report.accuracy.map50).toBe(rec.accuracy.map50);
  });
});
