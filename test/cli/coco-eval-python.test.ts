/**
 * training/coco_eval.py (the training scripts' own COCO evaluation, plain Python) against the harness's
 * scoring/coco-map.ts and `lpcv evaluate` on the same files: every one of the 12 stats equal, bit for bit, on
 * seeded random cases with several images and categories, crowd regions, all three area ranges, tied scores
 * and more detections than maxDets.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { mulberry32 } from '../../scoring/mulberry32.js';
import { evaluateCocoDetections, type CocoDetection, type CocoGroundTruth } from '../../scoring/coco-map.js';
import { lpcv, ROOT } from '../testing/run-lpcv.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'lpcv-coco-python-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A random case: boxes of every size class, some crowd regions, detections near the truth and off it. */
function randomCase(seed: number): { gt: CocoGroundTruth; dets: CocoDetection[] } {
  const rand = mulberry32(seed);
  const images = Array.from({ length: 6 }, (_, i) => ({ id: 10 + i, width: 400, height: 400, file_name: `${i}.png` }));
  const categories = [
    { id: 1, name: 'a' },
    { id: 3, name: 'b' },
    { id: 4, name: 'c' },
  ];
  const annotations: CocoGroundTruth['annotations'] = [];
  const dets: CocoDetection[] = [];
  let id = 1;
  for (const im of images) {
    for (let n = Math.floor(rand() * 6); n > 0; n--) {
      const side = [12, 50, 150][Math.floor(rand() * 3)]! * (0.6 + rand());
      const bbox: [number, number, number, number] = [rand() * 200, rand() * 200, side, side * (0.5 + rand())];
      const category_id = categories[Math.floor(rand() * categories.length)]!.id;
      annotations.push({ id: id++, image_id: im.id, category_id, bbox, area: bbox[2] * bbox[3] * (0.7 + 0.3 * rand()), iscrowd: rand() < 0.1 ? 1 : 0 });
      // Detections: a near copy (sometimes of another class), sometimes two, with coarse scores so that some tie.
      for (let k = rand() < 0.3 ? 2 : 1; k > 0; k--) {
        const jitter = (v: number): number => v + (rand() - 0.5) * 0.3 * bbox[2];
        const cat = rand() < 0.15 ? categories[Math.floor(rand() * categories.length)]!.id : category_id;
        dets.push({
          image_id: im.id,
          category_id: cat,
          bbox: [jitter(bbox[0]), jitter(bbox[1]), bbox[2] * (0.8 + 0.4 * rand()), bbox[3]],
          score: Math.round(rand() * 10) / 10,
        });
      }
    }
    // Background false positives, many on one image (past maxDets 1 and 10).
    for (let n = im.id === 12 ? 14 : Math.floor(rand() * 3); n > 0; n--) {
      dets.push({
        image_id: im.id,
        category_id: categories[Math.floor(rand() * 3)]!.id,
        bbox: [rand() * 300, rand() * 300, 20 + rand() * 80, 20 + rand() * 80],
        score: Math.round(rand() * 10) / 10,
      });
    }
  }
  return { gt: { images, annotations, categories }, dets };
}

function python(gtFile: string, detFile: string): Record<string, number> {
  return JSON.parse(execFileSync('/usr/bin/python3', [path.join(ROOT, 'training/coco_eval.py'), gtFile, detFile], { encoding: 'utf8' })) as Record<
    string,
    number
  >;
}

describe('training/coco_eval.py', () => {
  it('gives every stat of the harness COCO evaluation exactly, on ten seeded random cases', () => {
    for (let seed = 1; seed <= 10; seed++) {
      const { gt, dets } = randomCase(seed);
      const gtFile = path.join(dir, `gt-${seed}.json`);
      const detFile = path.join(dir, `det-${seed}.json`);
      writeFileSync(gtFile, JSON.stringify(gt));
      writeFileSync(detFile, JSON.stringify(dets));
      const { perClass: _perClass, ...ts } = evaluateCocoDetections(gt, dets);
      expect(python(gtFile, detFile), `seed ${seed}`).toEqual(ts);
      // Not a degenerate case: something found, something missed.
      expect(ts.map).toBeGreaterThan(0);
      expect(ts.map).toBeLessThan(1);
    }
  });

  it('agrees with lpcv evaluate on the same files', async () => {
    const gtFile = path.join(dir, 'gt-1.json');
    const detFile = path.join(dir, 'det-1.json');
    const r = await lpcv(['evaluate', '--task', 'detection', '--gt', gtFile, '--pred', detFile, '--json']);
    expect(r.exitCode, r.stderr).toBe(0);
    const cli = JSON.parse(r.stdout) as { accuracy: { map: number; map50: number }; details: Record<string, number> };
    const py = python(gtFile, detFile);
    expect({ map: py.map, map50: py.map50 }).toEqual(cli.accuracy);
    expect(py.ar100).toBe(cli.details.ar100);
  });
});
