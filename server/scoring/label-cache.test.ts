import { mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { loadLabels } from '../../harness/datasets/open-split.js';
import { rejectionOf } from '../../test/testing/lpcv-errors.js';
import { idxBytes, makeTempDir, makeTrack } from '../../test/testing/write-images.js';
import { LabelCache } from './label-cache.js';

const tmp = makeTempDir('lpcv-label-cache-');
afterAll(() => tmp.remove());

const splits = {
  first: { start: 0, count: 2, visibility: 'public' },
  rest: { start: 2, count: 3, visibility: 'hidden' },
};
const labelsFile = join(tmp.dir, 'data/labels.gz');
const track = () => makeTrack(tmp.dir, { dataset: { format: 'idx', images: 'data/images.gz', labels: 'data/labels.gz' }, splits });

function writeLabels(labels: number[], mtimeSeconds: number): void {
  writeFileSync(labelsFile, gzipSync(idxBytes([5], Uint8Array.from(labels))));
  utimesSync(labelsFile, mtimeSeconds, mtimeSeconds);
}

beforeEach(() => {
  mkdirSync(join(tmp.dir, 'data'), { recursive: true });
  writeFileSync(join(tmp.dir, 'data/images.gz'), gzipSync(idxBytes([5, 4, 4], new Uint8Array(5 * 16))));
  writeLabels([0, 1, 2, 1, 0], 1_000_000);
});

describe('LabelCache', () => {
  it('loads a split once per track object and returns what loadLabels returns', async () => {
    const cache = new LabelCache();
    const t = track();
    const a = await cache.load(t, 'rest');
    expect(a).toEqual(await loadLabels(t, 'rest'));
    expect(await cache.load(t, 'rest')).toBe(a);
    expect(await cache.load(t, 'first')).not.toBe(a);
    expect(cache.size).toBe(2);
  });

  it('shares one load between concurrent callers', async () => {
    const cache = new LabelCache();
    const t = track();
    const [a, b] = await Promise.all([cache.load(t, 'rest'), cache.load(t, 'rest')]);
    expect(a).toBe(b);
  });

  it('loads again for another track object of the same file (a reloaded track)', async () => {
    const cache = new LabelCache();
    const a = await cache.load(track(), 'rest');
    const b = await cache.load(track(), 'rest');
    expect(b).not.toBe(a);
    expect(b).toEqual(a);
    expect(cache.size).toBe(1);
  });

  it('loads again when a data set file is replaced under the running server', async () => {
    const cache = new LabelCache();
    const t = track();
    expect(await cache.load(t, 'rest')).toMatchObject({ labels: [2, 1, 0] });
    writeLabels([0, 1, 0, 0, 2], 2_000_000);
    expect(await cache.load(t, 'rest')).toMatchObject({ labels: [0, 0, 2] });
  });

  it('freezes what it shares, so no completion can change the next one’s labels', async () => {
    const labels = await new LabelCache().load(track(), 'rest');
    if (labels.task !== 'classification') throw new Error('expected classification labels');
    expect(() => (labels.labels as number[]).push(1)).toThrow(TypeError);
    expect(() => {
      (labels.ids as string[])[0] = 'x';
    }).toThrow(TypeError);
  });

  it('keeps the most recently used splits up to its capacity', async () => {
    const cache = new LabelCache(1);
    const t = track();
    const rest = await cache.load(t, 'rest');
    await cache.load(t, 'first');
    expect(cache.size).toBe(1);
    expect(await cache.load(t, 'rest')).not.toBe(rest);
  });

  it('does not keep a failure: the coded error each time, and the load once fixed', async () => {
    const cache = new LabelCache();
    const t = track();
    expect((await rejectionOf(cache.load(t, 'nope'))).code).toBe('LPCV_E_SPLIT_UNKNOWN');
    expect(cache.size).toBe(0);
    writeFileSync(labelsFile, 'damaged');
    utimesSync(labelsFile, 3_000_000, 3_000_000);
    expect((await rejectionOf(cache.load(t, 'rest'))).code).toBe('LPCV_E_DATASET_CORRUPT');
    expect(cache.size).toBe(0);
    writeLabels([0, 1, 2, 1, 0], 4_000_000);
    expect(await cache.load(t, 'rest')).toMatchObject({ labels: [2, 1, 0] });
  });
});
