/**
 * `lpcv score` on a segmentation track, end to end: a tiny data set written with sharp, a track file, the
 * real CLI in a child process, and mIoU/mDice checked against values computed by hand below.
 *
 * The model (test/fixtures/onnx/seg-argmax.onnx, from make_segmentation_fixture.py) is a 1x1 Conv with
 * identity weights: its logits are the normalised input, so a pure red pixel is predicted as class 0 (red),
 * green as 1, blue as 2. Every pixel of every image is pure red, green or blue, so the predicted map is the
 * image's colour map, and all the disagreement is put into the masks.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../../errors/codes.js';
import { ROOT, expectOneLineError, lpcv } from '../testing/run-lpcv.js';

const SIZE = 8;
const IGNORE = 255;
const RGB: readonly (readonly [number, number, number])[] = [
  [255, 0, 0],
  [0, 255, 0],
  [0, 0, 255],
];
const fixture = (name: string): string => path.join(ROOT, 'test/fixtures/onnx', name);

/** A SIZE x SIZE map, row-major, from a function of (x, y). */
const grid = (f: (x: number, y: number) => number): number[] => Array.from({ length: SIZE * SIZE }, (_, p) => f(p % SIZE, Math.floor(p / SIZE)));

/** One sample: the class colour of each pixel of the image, and the mask's label of each pixel. */
interface Sample {
  file: string;
  colours: number[];
  mask: number[];
}

// a.png: left half (x < 4) red, right half green: 32 + 32 pixels.
//   mask: as the image, except 4 red pixels (x = 0, y = 0..3) labelled green, and 2 green pixels
//   (x = 7, y = 6..7) ignored. 62 scored pixels.
//   red   (0): TP 28, FP 4 (predicted red, labelled green), FN 0: Dice 56/60 = 14/15, IoU 28/32 = 7/8
//   green (1): TP 30, FP 0, FN 4:                                Dice 60/64 = 15/16, IoU 30/34 = 15/17
//   blue  (2): not in the mask nor predicted: NaN, left out of the image's mean
//   image: Dice (14/15 + 15/16) / 2 = 0.93541666..., IoU (7/8 + 15/17) / 2 = 0.87867647...
const a: Sample = {
  file: 'a',
  colours: grid((x) => (x < 4 ? 0 : 1)),
  mask: grid((x, y) => (x < 4 ? (x === 0 && y < 4 ? 1 : 0) : x === 7 && y >= 6 ? IGNORE : 1)),
};
// b.png: all blue, 64 pixels. mask: row 0 (8 pixels) labelled red, the rest blue.
//   red   (0): TP 0, FP 0, FN 8:  Dice 0/8 = 0, IoU 0/8 = 0
//   green (1): NaN
//   blue  (2): TP 56, FP 8, FN 0: Dice 112/120 = 14/15, IoU 56/64 = 7/8
//   image: Dice (0 + 14/15) / 2 = 7/15, IoU (0 + 7/8) / 2 = 7/16
const b: Sample = {
  file: 'b',
  colours: grid(() => 2),
  mask: grid((_, y) => (y === 0 ? 0 : 2)),
};
// c.png: rows 0-1 red (16), rows 2-4 green (24), rows 5-7 blue (24).
//   mask: row 0 ignored (8 red pixels not scored); 3 green pixels (y = 2, x = 0..2) labelled blue;
//   2 blue pixels (y = 7, x = 6..7) labelled green. 56 scored pixels.
//   red   (0): TP 8, FP 0, FN 0:  Dice 16/16 = 1, IoU 8/8 = 1
//   green (1): predicted on 24 pixels, 21 of them labelled green; 2 green labels predicted blue:
//              TP 21, FP 3, FN 2: Dice 42/47, IoU 21/26
//   blue  (2): predicted on 24 pixels, 22 labelled blue; 3 blue labels predicted green:
//              TP 22, FP 2, FN 3: Dice 44/49, IoU 22/27
//   image: Dice (1 + 42/47 + 44/49) / 3 = 0.93052540..., IoU (1 + 21/26 + 22/27) / 3 = 0.87416904...
const c: Sample = {
  file: 'c',
  colours: grid((_, y) => (y < 2 ? 0 : y < 5 ? 1 : 2)),
  mask: grid((x, y) => {
    if (y === 0) return IGNORE;
    if (y === 2 && x < 3) return 2;
    if (y === 7 && x >= 6) return 1;
    return y < 2 ? 0 : y < 5 ? 1 : 2;
  }),
};
const SAMPLES = [a, b, c];

// The mean over images of the per-image means (no image is all ignored, so none is skipped):
//   mDice = (0.93541666... + 0.46666666... + 0.93052540...) / 3 = 0.77753624...
//   mIoU  = (0.87867647... + 0.4375        + 0.87416904...) / 3 = 0.73011517...
const EXPECTED_MDICE = ((14 / 15 + 15 / 16) / 2 + (0 + 14 / 15) / 2 + (1 + 42 / 47 + 44 / 49) / 3) / 3;
const EXPECTED_MIOU = ((7 / 8 + 15 / 17) / 2 + (0 + 7 / 8) / 2 + (1 + 21 / 26 + 22 / 27) / 3) / 3;

async function writeImage(file: string, colours: number[]): Promise<void> {
  const data = Buffer.alloc(colours.length * 3);
  colours.forEach((k, p) => data.set(RGB[k]!, p * 3));
  await sharp(data, { raw: { width: SIZE, height: SIZE, channels: 3 } })
    .png()
    .toFile(file);
}

async function writeMask(file: string, labels: number[], size = SIZE): Promise<void> {
  await sharp(Buffer.from(labels), { raw: { width: size, height: size, channels: 1 } })
    .png()
    .toFile(file);
}

function track(name: string): object {
  return {
    name,
    title: 'Tiny RGB segmentation (test)',
    task: 'segmentation',
    classes: ['red', 'green', 'blue'],
    dataset: { format: 'segmentation', images: 'images', masks: 'masks', ignoreIndex: IGNORE },
    splits: { val: { start: 0, count: SAMPLES.length, visibility: 'public' } },
    input: {
      name: 'input',
      shape: [1, 3, SIZE, SIZE],
      dtype: 'float32',
      layout: 'NCHW',
      preprocess: { channels: 'rgb', scale: 0.00392156862745098, mean: [0, 0, 0], std: [1, 1, 1] },
    },
    output: { name: 'logits' },
    formats: ['onnx'],
    metrics: ['miou', 'mdice'],
    score: { formula: 'accuracy-per-time', version: 1, params: { accuracy: 'mdice' } },
    protocol: { warmupRuns: 1, minRuns: 5, minDurationMs: 0 },
    limits: { maxArtifactBytes: 1_000_000, runTimeoutMs: 60_000 },
  };
}

/** Writes a data set and its track file in a new temp folder; `maskSize` overrides one sample's mask size. */
async function writeTrack(name: string, maskSize: Record<string, number> = {}): Promise<string> {
  const dir = mkdtempSync(path.join(os.tmpdir(), `lpcv-${name}-`));
  mkdirSync(path.join(dir, 'images'));
  mkdirSync(path.join(dir, 'masks'));
  for (const s of SAMPLES) {
    await writeImage(path.join(dir, 'images', `${s.file}.png`), s.colours);
    const size = maskSize[s.file] ?? SIZE;
    await writeMask(path.join(dir, 'masks', `${s.file}.png`), size === SIZE ? s.mask : s.mask.slice(0, size * size), size);
  }
  const file = path.join(dir, 'track.json');
  writeFileSync(file, `${JSON.stringify(track(name), null, 2)}\n`);
  return file;
}

describe('lpcv score on a segmentation track', () => {
  let trackFile: string;
  let wrongMaskTrackFile: string;
  beforeAll(async () => {
    trackFile = await writeTrack('seg-tiny');
    wrongMaskTrackFile = await writeTrack('seg-tiny-bad-mask', { c: 4 });
  });

  it('reports mIoU and mDice as computed by hand, 5 timed runs, and mDice per second as the score', async () => {
    const r = await lpcv(['score', fixture('seg-argmax.onnx'), '--track', trackFile, '--json']);
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const rec = JSON.parse(lines[0]!);
    expect(rec).toMatchObject({ track: 'seg-tiny', split: 'val', energy: null });
    expect(Object.keys(rec.accuracy).sort()).toEqual(['mdice', 'miou']);
    expect(rec.accuracy.mdice).toBeCloseTo(EXPECTED_MDICE, 12);
    expect(rec.accuracy.miou).toBeCloseTo(EXPECTED_MIOU, 12);
    expect(rec.latency.count).toBe(5);
    expect(rec.protocol).toMatchObject({ warmupRuns: 1, minRuns: 5, minDurationMs: 0, timedRuns: 5, accuracyImages: 3 });
    expect(rec.preprocess.count).toBe(3);
    expect(rec.score).toMatchObject({ formula: 'accuracy-per-time', version: 1, qualified: true });
    expect(rec.score.value).toBeCloseTo(rec.accuracy.mdice / (rec.latency.mean / 1000), 6);
  });

  it('--predictions writes PNG label maps that lpcv evaluate scores to the same mIoU and mDice', async () => {
    const pred = path.join(mkdtempSync(path.join(os.tmpdir(), 'lpcv-seg-pred-')), 'maps');
    const r = await lpcv(['score', fixture('seg-argmax.onnx'), '--track', trackFile, '--json', '--predictions', pred]);
    expect(r.exitCode, r.stderr).toBe(0);
    const rec = JSON.parse(r.stdout.trim()) as { accuracy: { miou: number; mdice: number } };
    const masks = path.join(path.dirname(trackFile), 'masks');
    const e = await lpcv(['evaluate', '--task', 'segmentation', '--gt', masks, '--pred', pred, '--classes', '3', '--ignore-index', String(IGNORE), '--json']);
    expect(e.exitCode, e.stderr).toBe(0);
    const ev = JSON.parse(e.stdout.trim()) as Record<string, unknown>;
    expect(ev).toMatchObject({ accuracy: { miou: rec.accuracy.miou, mdice: rec.accuracy.mdice } });
  });

  it('a mask of another size than its image is a one-line LPCV_E_DATASET_CORRUPT naming the mask', async () => {
    const r = await lpcv(['score', fixture('seg-argmax.onnx'), '--track', wrongMaskTrackFile, '--json']);
    const err = expectOneLineError(r);
    expect(err.code).toBe('LPCV_E_DATASET_CORRUPT');
    expect(err.message).toMatch(/masks\/c\.png: is 4x4, its image c\.png is 8x8/);
    expect(r.exitCode).toBe(ERROR_CODES.LPCV_E_DATASET_CORRUPT.exit);
    expect(JSON.parse(r.stdout)).toMatchObject({ error: { code: 'LPCV_E_DATASET_CORRUPT' } });
  });

  it('lpcv validate refuses a model with 4 output channels for 3 classes: LPCV_E_MODEL_OUTPUT_SHAPE', async () => {
    const ok = await lpcv(['validate', fixture('seg-argmax.onnx'), '--track', trackFile]);
    expect(ok.stderr).toBe('');
    expect(ok.exitCode).toBe(0);
    const r = await lpcv(['validate', fixture('seg-wrong-classes.onnx'), '--track', trackFile]);
    const err = expectOneLineError(r);
    expect(err.code).toBe('LPCV_E_MODEL_OUTPUT_SHAPE');
    expect(err.message).toMatch(/\[batch, 4, 8, 8\]; expected \[batch, 3, height, width\]/);
    expect(r.exitCode).toBe(ERROR_CODES.LPCV_E_MODEL_OUTPUT_SHAPE.exit);
  });
});
