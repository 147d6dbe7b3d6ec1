/**
 * Test support for the data set readers: tiny images written with sharp into a fresh temp folder, and
 * tracks built in memory. Images are generated per test rather than committed as binaries.
 */
import { TASK_FACTS, type TaskName } from '../../harness/tasks/task-catalog.js';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import sharp from 'sharp';
import type { Track } from '../../harness/tracks/track.js';
import { trackSchema } from '../../harness/tracks/track-schema.js';

export function makeTempDir(prefix = 'lpcv-datasets-'): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Pixel values that differ per position and channel, so that misplaced bytes show up. */
export function pattern(width: number, height: number, channels: number, seed = 0): Uint8Array {
  const out = new Uint8Array(width * height * channels);
  for (let i = 0; i < out.length; i++) out[i] = (seed * 31 + i * 17 + 3) % 256;
  return out;
}

/** Writes HWC pixels as an 8-bit PNG with exactly that many channels (1 gray, 2 gray+alpha, 3 RGB, 4 RGBA). */
export async function writePng(file: string, width: number, height: number, channels: 1 | 2 | 3 | 4, data: Uint8Array): Promise<void> {
  mkdirSync(dirname(file), { recursive: true });
  let img = sharp(Buffer.from(data), { raw: { width, height, channels } });
  if (channels <= 2) img = img.toColourspace('b-w');
  await img.png().toFile(file);
}

/** Writes RGB pixels as a JPEG of top quality (lossy still: compare decoded values loosely). */
export async function writeJpeg(file: string, width: number, height: number, data: Uint8Array): Promise<void> {
  mkdirSync(dirname(file), { recursive: true });
  await sharp(Buffer.from(data), { raw: { width, height, channels: 3 } })
    .jpeg({ quality: 100 })
    .toFile(file);
}

export function writeText(file: string, text: string): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, text);
}

/** A valid track whose data set lives in `dir`, built like tracks/fashion-mnist/track.json. */
export function makeTrack(dir: string, fields: Record<string, unknown>): Track {
  const base = {
    name: 'test-track',
    title: 'test track',
    task: 'classification',
    classes: ['zero', 'one', 'two'],
    dataset: { format: 'image-folder', images: 'images', labels: 'labels.csv' },
    splits: {
      all: { start: 0, count: 1, visibility: 'public' },
    },
    input: {
      name: 'input',
      shape: [1, 1, 4, 4],
      dtype: 'float32',
      layout: 'NCHW',
      preprocess: { channels: 'gray', scale: 1 / 255, mean: [0.5], std: [0.5] },
    },
    formats: ['onnx'],
    score: { formula: 'accuracy', version: 1 },
    protocol: { warmupRuns: 1, minRuns: 1, minDurationMs: 0 },
    limits: { maxArtifactBytes: 1000, runTimeoutMs: 1000 },
  };
  // The task's first metric unless the test gives its own (a track lists metrics its task gives).
  const task = (fields.task ?? base.task) as TaskName;
  const parsed = trackSchema.parse({ ...base, metrics: [TASK_FACTS[task].metrics[0]], ...fields });
  return { ...parsed, file: join(dir, 'track.json'), dir };
}

/** Builds an IDX file (unsigned bytes) from dims and data, optionally with a wrong magic. */
export function idxBytes(dims: number[], data: Uint8Array, magic = 0x0800 + dims.length): Uint8Array {
  const out = new Uint8Array(4 + 4 * dims.length + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, magic);
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d));
  out.set(data, 4 + 4 * dims.length);
  return out;
}
