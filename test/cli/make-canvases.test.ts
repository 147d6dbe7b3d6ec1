/**
 * training/make_canvases.py, the generator of the planned fashion-det and fashion-seg data: deterministic, and
 * its files read back through the harness (COCO annotations whose boxes, used as detections, score mAP 1; masks
 * that, as predictions, score mIoU 1; images that decode at the canvas size).
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cocoInputs } from '../../harness/datasets/coco.js';
import { lpcv, ROOT } from '../testing/run-lpcv.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'lpcv-canvases-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const data = path.join(ROOT, 'tracks/fashion-mnist/data');

function generate(out: string, seed: number): void {
  execFileSync('/usr/bin/python3', [
    path.join(ROOT, 'training/make_canvases.py'),
    '--images',
    path.join(data, 't10k-images-idx3-ubyte.gz'),
    '--labels',
    path.join(data, 't10k-labels-idx1-ubyte.gz'),
    '--first',
    '0',
    '--count',
    '2000',
    '--canvases',
    '12',
    '--size',
    '96',
    '--seed',
    String(seed),
    '--out',
    out,
  ]);
}

/** sha256 of every file under `root`, by relative path. */
function digests(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of readdirSync(root, { recursive: true, withFileTypes: true })) {
    if (!e.isFile()) continue;
    const file = path.join(e.parentPath, e.name);
    out[path.relative(root, file)] = createHash('sha256').update(readFileSync(file)).digest('hex');
  }
  return out;
}

interface Coco {
  images: { id: number; file_name: string; width: number; height: number }[];
  annotations: { id: number; image_id: number; category_id: number; bbox: [number, number, number, number]; area: number }[];
  categories: { id: number; name: string }[];
}

describe('training/make_canvases.py', () => {
  const a = path.join(dir, 'a');
  const b = path.join(dir, 'b');
  const other = path.join(dir, 'other');
  beforeAll(() => {
    generate(a, 7);
    generate(b, 7);
    generate(other, 8);
  });

  it('writes the same bytes for the same arguments, and other canvases for another seed', () => {
    const first = digests(a);
    expect(Object.keys(first)).toHaveLength(12 * 2 + 1);
    expect(digests(b)).toEqual(first);
    expect(digests(other)['annotations.json']).not.toBe(first['annotations.json']);
  });

  it('gives COCO annotations inside their canvases, ten categories, and images the harness decodes at the canvas size', async () => {
    const coco = JSON.parse(readFileSync(path.join(a, 'annotations.json'), 'utf8')) as Coco;
    expect(coco.categories.map((c) => c.id)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(coco.annotations.length).toBeGreaterThanOrEqual(12);
    for (const an of coco.annotations) {
      const [x, y, w, h] = an.bbox;
      expect(x >= 0 && y >= 0 && x + w <= 96 && y + h <= 96 && an.area > 0 && an.area <= w * h, JSON.stringify(an)).toBe(true);
    }
    const inputs = await cocoInputs(path.join(a, 'images'), path.join(a, 'annotations.json'));
    expect(inputs.ids).toHaveLength(12);
    const first = await inputs.read(0);
    expect([first.width, first.height]).toEqual([96, 96]);
  });

  it('reads back through lpcv evaluate: its own boxes score mAP 1, its own masks mIoU 1', async () => {
    const coco = JSON.parse(readFileSync(path.join(a, 'annotations.json'), 'utf8')) as Coco;
    const results = path.join(dir, 'results.json');
    writeFileSync(results, JSON.stringify(coco.annotations.map((an) => ({ image_id: an.image_id, category_id: an.category_id, bbox: an.bbox, score: 1 }))));
    const det = await lpcv(['evaluate', '--task', 'detection', '--gt', path.join(a, 'annotations.json'), '--pred', results, '--json']);
    expect(det.exitCode, det.stderr).toBe(0);
    expect((JSON.parse(det.stdout) as { accuracy: { map: number } }).accuracy.map).toBeCloseTo(1, 12);
    const masks = path.join(a, 'masks');
    const seg = await lpcv(['evaluate', '--task', 'segmentation', '--gt', masks, '--pred', masks, '--classes', '11', '--json']);
    expect(seg.exitCode, seg.stderr).toBe(0);
    expect((JSON.parse(seg.stdout) as { accuracy: { miou: number } }).accuracy.miou).toBe(1);
  });
});
