import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { errorOf, rejectionOf } from '../../../test/testing/lpcv-errors.js';
import { BUILTIN_TRACKS_DIR, loadTrackFile } from '../../tracks/load-track.js';
import { openInputs } from '../open-split.js';
import { adversarialInputs, robustnessSplitsOf } from './robustness-splits.js';
import { sampleTrackJson, sampleTrackWithoutBaselines } from '../../../test/testing/sample-track.js';

const sample: Record<string, unknown> = sampleTrackJson();
const dataDir = path.join(BUILTIN_TRACKS_DIR, 'fashion-mnist');

function writeTrack(robustness: unknown, extra: Record<string, unknown> = {}): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'lpcv-robust-'));
  const file = path.join(dir, 'track.json');
  const ds = sample.dataset as { images: string; labels: string };
  const rest = sampleTrackWithoutBaselines();
  const track = {
    ...rest,
    dataset: { format: 'idx', images: path.join(dataDir, ds.images), labels: path.join(dataDir, ds.labels) },
    splits: { small: { start: 100, count: 6, visibility: 'public' }, val: { start: 0, count: 2000, visibility: 'public' } },
    defaultSplit: 'small',
    robustness,
    ...extra,
  };
  writeFileSync(file, JSON.stringify(track));
  return file;
}

const ok = {
  of: 'small',
  seed: 3,
  corruptions: [
    { kind: 'gaussian-noise', severities: [1, 3, 5] },
    { kind: 'jpeg', severities: [2] },
  ],
  adversarial: [{ name: 'fgsm', images: 'adv' }],
};

describe('the robustness block of a track', () => {
  it('loads and names the splits <of>~<kind>-<severity> and <of>~<set>, in declaration order', () => {
    const t = loadTrackFile(writeTrack(ok));
    expect(t.robustness?.profile).toBe('imagenet-c');
    const splits = robustnessSplitsOf(t, 'small');
    expect(splits.map((s) => s.name)).toEqual(['small~gaussian-noise-1', 'small~gaussian-noise-3', 'small~gaussian-noise-5', 'small~jpeg-2', 'small~fgsm']);
    expect(splits[1]).toMatchObject({ kind: 'corruption', of: 'small', corruption: { kind: 'gaussian-noise', severity: 3, seed: 3, profile: 'imagenet-c' } });
    expect(splits[4]).toMatchObject({ kind: 'adversarial', set: 'fgsm', images: path.join(t.dir, 'adv') });
    // Only for the splits named by `of`.
    expect(robustnessSplitsOf(t, 'val')).toEqual([]);
  });

  it.each([
    ['an unknown kind', { ...ok, corruptions: [{ kind: 'fog', severities: [1] }] }, /robustness\.corruptions\.0\.kind: .*gaussian-noise/],
    ['severity 0', { ...ok, corruptions: [{ kind: 'contrast', severities: [0] }] }, /robustness\.corruptions\.0\.severities\.0: /],
    ['severity 6', { ...ok, corruptions: [{ kind: 'contrast', severities: [6] }] }, /robustness\.corruptions\.0\.severities\.0: .*5/],
    ['a fractional severity', { ...ok, corruptions: [{ kind: 'contrast', severities: [2.5] }] }, /robustness\.corruptions\.0\.severities\.0: /],
    ['`of` naming no split', { ...ok, of: 'test' }, /robustness\.of: names no split \(have small, val\)/],
    ['`of` listing one unknown', { ...ok, of: ['small', 'nope'] }, /robustness\.of\.1: names no split/],
    [
      'a kind twice',
      {
        ...ok,
        corruptions: [
          { kind: 'jpeg', severities: [1] },
          { kind: 'jpeg', severities: [2] },
        ],
      },
      /robustness\.corruptions\.1\.kind: jpeg is listed twice/,
    ],
    ['a severity twice', { ...ok, corruptions: [{ kind: 'jpeg', severities: [2, 2] }] }, /robustness\.corruptions\.0\.severities: a severity is listed twice/],
    [
      'an adversarial set named like a corrupted split',
      { ...ok, adversarial: [{ name: 'jpeg-2', images: 'x' }] },
      /robustness\.adversarial\.0\.name: "jpeg-2" is the name of a corrupted split/,
    ],
    ['a bad set name', { ...ok, adversarial: [{ name: 'A~b', images: 'x' }] }, /robustness\.adversarial\.0\.name: /],
    ['no split at all', { of: 'small', seed: 1 }, /robustness: declares no corruption and no adversarial set/],
    ['a seed out of range', { ...ok, seed: -1 }, /robustness\.seed: /],
    ['an unknown profile', { ...ok, profile: 'mnist-c' }, /robustness\.profile: /],
  ])('refuses %s with LPCV_E_TRACK_INVALID naming the key', (_what, robustness, message) => {
    const file = writeTrack(robustness);
    const e = errorOf(() => loadTrackFile(file));
    expect(e.code).toBe('LPCV_E_TRACK_INVALID');
    expect(e.message).toContain(file);
    expect(e.message).toMatch(message);
  });
});

describe('adversarial sets', () => {
  async function setUp(): Promise<{ file: string; dir: string }> {
    const file = writeTrack(ok);
    return { file, dir: path.dirname(file) };
  }

  it('reads a folder of PNGs named by the clean ids, with the clean ids, in the clean order', async () => {
    const { file, dir } = await setUp();
    const t = loadTrackFile(file);
    const clean = await openInputs(t, 'small');
    mkdirSync(path.join(dir, 'adv'));
    for (let i = 0; i < clean.ids.length; i++) {
      const img = await clean.read(i);
      const inverted = Buffer.from(img.data.map((v) => 255 - v));
      await sharp(inverted, { raw: { width: 28, height: 28, channels: 1 } })
        .toColourspace('b-w')
        .png()
        .toFile(path.join(dir, 'adv', `${clean.ids[i]}.png`));
    }
    const split = robustnessSplitsOf(t, 'small').find((s) => s.kind === 'adversarial')!;
    if (split.kind !== 'adversarial') throw new Error('expected the adversarial split');
    const adv = await adversarialInputs(split, clean);
    expect(adv.ids).toEqual(clean.ids);
    const a = await adv.read(2);
    const c = await clean.read(2);
    expect(a.id).toBe(c.id);
    expect(Array.from(a.data.subarray(0, 50))).toEqual(Array.from(c.data.subarray(0, 50)).map((v) => 255 - v));
  });

  it('reads an IDX file as long as the split by position, and refuses a set missing an id or of another size', async () => {
    const { file, dir } = await setUp();
    const t = loadTrackFile(file);
    const clean = await openInputs(t, 'small');
    const idx = (count: number, rows: number): Buffer => {
      const head = Buffer.alloc(16);
      head.writeUInt32BE(0x803, 0);
      head.writeUInt32BE(count, 4);
      head.writeUInt32BE(rows, 8);
      head.writeUInt32BE(rows, 12);
      return Buffer.concat([head, Buffer.alloc(count * rows * rows, 9)]);
    };
    const base = robustnessSplitsOf(t, 'small').find((s) => s.kind === 'adversarial')!;
    if (base.kind !== 'adversarial') throw new Error('expected the adversarial split');
    writeFileSync(path.join(dir, 'by-position.idx'), idx(6, 28));
    const adv = await adversarialInputs({ ...base, images: path.join(dir, 'by-position.idx') }, clean);
    expect((await adv.read(5)).id).toBe(clean.ids[5]);
    expect((await adv.read(5)).data.every((v) => v === 9)).toBe(true);
    // 50 images: by id, and the split's ids (00100..00105) are not among 00000..00049.
    writeFileSync(path.join(dir, 'short.idx'), idx(50, 28));
    const missing = await rejectionOf(adversarialInputs({ ...base, images: path.join(dir, 'short.idx') }, clean));
    expect(missing.code).toBe('LPCV_E_ADVERSARIAL_SET');
    expect(missing.message).toMatch(/small~fgsm .*has no image for sample 00100/);
    writeFileSync(path.join(dir, 'small.idx'), idx(6, 14));
    const size = await rejectionOf(adversarialInputs({ ...base, images: path.join(dir, 'small.idx') }, clean));
    expect(size.code).toBe('LPCV_E_ADVERSARIAL_SET');
    expect(size.message).toMatch(/14x14x1, the clean image 28x28x1/);
    const absent = await rejectionOf(adversarialInputs({ ...base, images: path.join(dir, 'nothing-here') }, clean));
    expect(absent.code).toBe('LPCV_E_DATASET_MISSING');
  });
});
