import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeModel, rawValueInfo } from '../../test/testing/onnx-fixtures.js';
import { fixedDetector, fixedSsdHeads, writeDetectionTrack } from './testing/detection-fixtures.js';
import { lpcv } from '../../test/testing/run-lpcv.js';
import { readDetections } from '../../harness/detection/detection-outputs.js';
import type { OutputTensor } from '../../harness/tasks/output-decoding.js';

const rules = { classes: 2, width: 32, height: 32, maxDetections: 3 };
const f32 = (dims: number[], values: number[]): OutputTensor => ({ dims, type: 'float32', data: Float32Array.from(values) });
const i64 = (dims: number[], values: number[]): OutputTensor => ({ dims, type: 'int64', data: BigInt64Array.from(values.map(BigInt)) });

describe('readDetections', () => {
  it('reads boxes, scores and float or integer classes, with or without a batch axis', () => {
    const plain = readDetections({ boxes: f32([2, 4], [1, 2, 10, 12, 0, 0, 32, 32]), scores: f32([2], [0.9, 0.1]), classes: f32([2], [1, 0]) }, rules);
    const batched = readDetections(
      { boxes: f32([1, 2, 4], [1, 2, 10, 12, 0, 0, 32, 32]), scores: f32([1, 2], [0.9, 0.1]), classes: i64([1, 2], [1, 0]) },
      rules,
    );
    const want = [
      { box: [1, 2, 10, 12], score: expect.closeTo(0.9, 6), classIndex: 1 },
      { box: [0, 0, 32, 32], score: expect.closeTo(0.1, 6), classIndex: 0 },
    ];
    expect(plain).toMatchObject({ kind: 'ok', boxes: want });
    expect(batched).toMatchObject({ kind: 'ok', boxes: want });
    expect(readDetections({ boxes: f32([0, 4], []), scores: f32([0], []), classes: f32([0], []) }, rules)).toMatchObject({ kind: 'ok', boxes: [] });
  });

  it('refuses wrong ranks and counts (shape), NaN (non-finite), and boxes that break the rules (detections)', () => {
    const ok = { boxes: f32([1, 4], [1, 2, 10, 12]), scores: f32([1], [0.5]), classes: f32([1], [0]) };
    expect(readDetections({ ...ok, boxes: f32([4], [1, 2, 10, 12]) }, rules).kind).toBe('bad-output');
    expect(readDetections({ ...ok, scores: f32([2], [0.5, 0.4]) }, rules).kind).toBe('bad-output');
    expect(readDetections({ ...ok, classes: f32([1], [0.5]) }, rules).kind).toBe('bad-output');
    expect(readDetections({ boxes: ok.boxes, scores: ok.scores }, rules).kind).toBe('bad-output');
    expect(readDetections({ ...ok, boxes: f32([1, 4], [1, Number.NaN, 10, 12]) }, rules).kind).toBe('non-finite');
    expect(readDetections({ ...ok, scores: f32([1], [Number.POSITIVE_INFINITY]) }, rules).kind).toBe('non-finite');
    for (const [boxes, why] of [
      [[10, 2, 1, 12], /x1 <= x2/],
      [[-3, 0, 10, 10], /outside the 32x32 image/],
      [[0, 0, 33, 10], /outside the 32x32 image/],
    ] as const) {
      expect(readDetections({ ...ok, boxes: f32([1, 4], [...boxes]) }, rules)).toMatchObject({ kind: 'bad-detections', message: expect.stringMatching(why) });
    }
    expect(readDetections({ ...ok, boxes: f32([1, 4], [-0.4, 0, 32.4, 32]) }, rules).kind).toBe('ok');
    expect(readDetections({ ...ok, classes: f32([1], [2]) }, rules)).toMatchObject({
      kind: 'bad-detections',
      message: expect.stringMatching(/class 2; the track has 2/),
    });
    const four = { boxes: f32([4, 4], Array(4).fill([0, 0, 1, 1]).flat()), scores: f32([4], [1, 1, 1, 1]), classes: f32([4], [0, 0, 0, 0]) };
    expect(readDetections(four, rules)).toMatchObject({ kind: 'bad-detections', message: '4 boxes; the track takes at most 3 an image' });
  });
});

describe('a post-processed detection model through lpcv score', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'lpcv-detection-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('prints accuracy.map and map50 from the exact COCO evaluation of its boxes', async () => {
    const trackFile = await writeDetectionTrack(dir);
    // Every image gets the shirt right; the bag box is off (IoU 4/96 with the truth), so bag AP is 0 at every threshold.
    const model = path.join(dir, 'fixed.onnx');
    writeFileSync(model, fixedDetector([2, 2, 12, 12, 26, 26, 32, 32], [0.9, 0.8], [0, 1]));
    const results = path.join(dir, 'results.json');
    const r = await lpcv(['score', model, '--track', trackFile, '--json', '--predictions', results], { timeoutMs: 120_000 });
    expect(r.exitCode, r.stderr).toBe(0);
    const record = JSON.parse(r.stdout) as { accuracy: Record<string, number>; task?: string };
    // --predictions wrote a COCO results file: lpcv evaluate gives the same numbers from it.
    const e = await lpcv(['evaluate', '--task', 'detection', '--gt', path.join(dir, 'annotations.json'), '--pred', results, '--json']);
    expect(e.exitCode, e.stderr).toBe(0);
    expect(JSON.parse(e.stdout) as object).toMatchObject({ accuracy: { map: record.accuracy.map, map50: record.accuracy.map50 } });
    // shirt: AP 1 (two true positives); bag: AP 0 (its one box misses, and image a's false bag adds nothing
    // against a category it has no truth of): mAP 0.5 at every IoU threshold.
    expect(record.accuracy.map).toBeCloseTo(0.5, 12);
    expect(record.accuracy.map50).toBeCloseTo(0.5, 12);
  }, 120_000);

  it('decodes raw SSD heads with the priors the track declares, then scores them the same way', async () => {
    // Four priors of 10 x 10 centred on (8, 8), (24, 8), (8, 24), (24, 24). Prior 0 moved to the shirt [2, 2, 12, 12]
    // (centre -1 x 0.1 x 10 px each way), prior 3 shrunk to the bag [20, 20, 28, 28] (width and height x 0.8).
    const trackFile = await writeDetectionTrack(mkdtempSync(path.join(dir, 'ssd-')), {
      ssd: { featureMaps: [{ size: 2, minSize: 10 }], confidences: 'probabilities', scoreThreshold: 0.5 },
    });
    const shrink = Math.log(0.8) / 0.2;
    const locations = [-1, -1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, shrink, shrink];
    const confidences = [0.1, 0.9, 0, 1, 0, 0, 1, 0, 0, 0.2, 0, 0.8];
    const model = path.join(dir, 'ssd.onnx');
    writeFileSync(model, fixedSsdHeads(locations, confidences, 2));
    const results = path.join(dir, 'ssd-results.json');
    const r = await lpcv(['score', model, '--track', trackFile, '--json', '--predictions', results], { timeoutMs: 120_000 });
    expect(r.exitCode, r.stderr).toBe(0);
    const written = JSON.parse(readFileSync(results, 'utf8')) as { image_id: number; category_id: number; bbox: number[]; score: number }[];
    // Each image gets both boxes (the model's outputs do not depend on the image), as COCO results [x, y, w, h].
    // The heads are float32: the bag's size comes back to within 1e-7 px.
    expect(written.map((d) => ({ ...d, bbox: d.bbox.map((v) => Number(v.toFixed(6))), score: Number(d.score.toFixed(6)) }))).toEqual([
      { image_id: 1, category_id: 5, bbox: [2, 2, 10, 10], score: 0.9 },
      { image_id: 1, category_id: 6, bbox: [20, 20, 8, 8], score: 0.8 },
      { image_id: 2, category_id: 5, bbox: [2, 2, 10, 10], score: 0.9 },
      { image_id: 2, category_id: 6, bbox: [20, 20, 8, 8], score: 0.8 },
    ]);
    const record = JSON.parse(r.stdout) as { accuracy: Record<string, number> };
    const e = await lpcv(['evaluate', '--task', 'detection', '--gt', path.join(path.dirname(trackFile), 'annotations.json'), '--pred', results, '--json']);
    expect(JSON.parse(e.stdout) as object).toMatchObject({ accuracy: { map: record.accuracy.map, map50: record.accuracy.map50 } });
    // The shirt is found in both images (AP 1); the bag in image b, with a false one of equal score in image a.
    expect(record.accuracy.map).toBeGreaterThan(0.7);
  }, 120_000);

  it('refuses a model whose box reaches outside the image: LPCV_E_MODEL_DETECTIONS', async () => {
    const trackFile = await writeDetectionTrack(dir);
    const model = path.join(dir, 'outside.onnx');
    writeFileSync(model, fixedDetector([2, 2, 40, 12], [0.9], [0]));
    const r = await lpcv(['score', model, '--track', trackFile, '--json'], { timeoutMs: 120_000 });
    expect(r.exitCode).not.toBe(0);
    expect(r.stderr).toMatch(/LPCV_E_MODEL_DETECTIONS: image a\.png: box 0 \[2, 2, 40, 12\] reaches outside the 32x32 image/);
  }, 120_000);

  it('refuses at validation a detection model without the three outputs', async () => {
    const trackFile = await writeDetectionTrack(dir);
    const model = path.join(dir, 'two.onnx');
    const bytes = encodeModel({
      irVersion: 8,
      opsetImport: [{ domain: '', version: 13 }],
      graph: {
        name: 'two',
        node: [{ opType: 'Identity', input: ['x'], output: ['boxes'] }],
        input: [rawValueInfo('x', [1, 1, 32, 32])],
        output: [rawValueInfo('boxes', [1, 1, 32, 32])],
      },
    });
    writeFileSync(model, bytes);
    const r = await lpcv(['validate', model, '--track', trackFile]);
    expect(r.exitCode).not.toBe(0);
    expect(r.stdout + r.stderr).toMatch(/LPCV_E_MODEL_OUTPUT_SHAPE.*no scores, classes/);
  }, 60_000);
});
