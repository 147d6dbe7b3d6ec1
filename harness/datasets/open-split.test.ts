import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rejectionOf } from '../../test/testing/lpcv-errors.js';
import { idxBytes, makeTempDir, makeTrack, pattern, writePng, writeText } from '../../test/testing/write-images.js';
import { loadLabels, openInputs } from './open-split.js';

const tmp = makeTempDir('lpcv-split-');
afterAll(() => tmp.remove());

const splits = {
  first: { start: 0, count: 2, visibility: 'public' },
  rest: { start: 2, count: 3, visibility: 'hidden' },
  beyond: { start: 4, count: 2, visibility: 'hidden' },
};

describe('idx', () => {
  const dir = join(tmp.dir, 'idx');
  const pixels = Uint8Array.from({ length: 5 * 4 * 4 }, (_, i) => i);
  const track = () => makeTrack(dir, { dataset: { format: 'idx', images: 'data/images.gz', labels: 'data/labels.gz' }, splits });
  beforeAll(() => {
    writeText(join(dir, 'data/images.gz'), '');
    writeFileSync(join(dir, 'data/images.gz'), gzipSync(idxBytes([5, 4, 4], pixels)));
    writeFileSync(join(dir, 'data/labels.gz'), gzipSync(idxBytes([5], Uint8Array.of(0, 1, 2, 1, 0))));
  });

  it('applies the split range to inputs and labels alike; ids are global indices', async () => {
    const inputs = await openInputs(track(), 'rest');
    expect(inputs.ids).toEqual(['00002', '00003', '00004']);
    const img = await inputs.read(0);
    expect(img.id).toBe('00002');
    expect(Array.from(img.data)).toEqual(Array.from(pixels.subarray(32, 48)));
    expect(await loadLabels(track(), 'rest')).toEqual({ task: 'classification', ids: ['00002', '00003', '00004'], labels: [2, 1, 0] });
    expect((await rejectionOf(inputs.read(3))).code).toBe('LPCV_E_INTERNAL');
  });

  it('reports a split past the end with the number of samples', async () => {
    const f = await rejectionOf(openInputs(track(), 'beyond'));
    expect(f).toMatchObject({
      code: 'LPCV_E_DATASET_CORRUPT',
      message: `${join(dir, 'data/images.gz')}: split "beyond" covers samples 4..5, but the data set has 5 samples (0..4)`,
    });
    expect((await rejectionOf(loadLabels(track(), 'beyond'))).message).toContain('split "beyond" covers samples 4..5');
  });

  it('lists the known splits for an unknown one', async () => {
    for (const p of [openInputs(track(), 'val'), loadLabels(track(), 'toString')]) {
      const f = await rejectionOf(p);
      expect(f.code).toBe('LPCV_E_SPLIT_UNKNOWN');
      expect(f.message).toMatch(/has no split "(val|toString)" \(known: first, rest, beyond\)$/);
    }
  });

  it('opens inputs without the labels file', async () => {
    const labels = join(dir, 'data/labels.gz');
    renameSync(labels, `${labels}.away`);
    try {
      const inputs = await openInputs(track(), 'first');
      expect((await inputs.read(1)).id).toBe('00001');
      expect(await rejectionOf(loadLabels(track(), 'first'))).toMatchObject({
        code: 'LPCV_E_DATASET_MISSING',
        message: `data set file not found: ${labels}`,
      });
    } finally {
      renameSync(`${labels}.away`, labels);
    }
  });

  it('checks the label count against the image count, and labels against the classes', async () => {
    writeFileSync(join(dir, 'data/four.gz'), gzipSync(idxBytes([4], Uint8Array.of(0, 1, 2, 1))));
    writeFileSync(join(dir, 'data/big.gz'), gzipSync(idxBytes([5], Uint8Array.of(0, 1, 2, 3, 0))));
    const four = makeTrack(dir, { dataset: { format: 'idx', images: 'data/images.gz', labels: 'data/four.gz' }, splits });
    expect((await rejectionOf(loadLabels(four, 'first'))).message).toBe(
      `${join(dir, 'data/four.gz')}: has 4 labels, the images file ${join(dir, 'data/images.gz')} has 5 images`,
    );
    const big = makeTrack(dir, { dataset: { format: 'idx', images: 'data/images.gz', labels: 'data/big.gz' }, splits });
    expect(await loadLabels(big, 'first')).toMatchObject({ labels: [0, 1] });
    expect((await rejectionOf(loadLabels(big, 'rest'))).message).toBe(`${join(dir, 'data/big.gz')}: label 3 of sample 00003 is not a class index (0..2)`);
  });

  it('reports a missing images file by path', async () => {
    const t = makeTrack(dir, { dataset: { format: 'idx', images: 'data/none.gz', labels: 'data/labels.gz' }, splits });
    expect(await rejectionOf(openInputs(t, 'first'))).toMatchObject({
      code: 'LPCV_E_DATASET_MISSING',
      message: `data set file not found: ${join(dir, 'data/none.gz')}`,
    });
  });
});

describe('image-folder', () => {
  const dir = join(tmp.dir, 'folder');
  const track = () => makeTrack(dir, { dataset: { format: 'image-folder', images: 'imgs', labels: 'labels.csv' }, splits });
  beforeAll(async () => {
    for (const [i, name] of ['e.png', 'd.png', 'c.png', 'b.png', 'a.png'].entries()) {
      await writePng(join(dir, 'imgs', name), 4, 4, 1, pattern(4, 4, 1, i));
    }
    writeText(join(dir, 'labels.csv'), 'file,label\na.png,zero\nb.png,1\nc.png,two\nd.png,0\ne.png,1\n');
  });

  it('splits the sorted file names; inputs work without the CSV', async () => {
    expect(await loadLabels(track(), 'rest')).toEqual({ task: 'classification', ids: ['c.png', 'd.png', 'e.png'], labels: [2, 0, 1] });
    rmSync(join(dir, 'labels.csv'));
    const inputs = await openInputs(track(), 'rest');
    expect(inputs.ids).toEqual(['c.png', 'd.png', 'e.png']);
    expect((await inputs.read(2)).data).toEqual(pattern(4, 4, 1, 0));
    expect((await rejectionOf(loadLabels(track(), 'rest'))).code).toBe('LPCV_E_DATASET_MISSING');
  });
});

describe('coco', () => {
  const dir = join(tmp.dir, 'coco');
  const json = {
    images: [5, 4, 3, 2, 1].map((id) => ({ id, file_name: `im${id}.png`, width: 4, height: 4 })),
    annotations: [1, 2, 3, 4, 5].map((id) => ({ id: 10 + id, image_id: id, category_id: 1, bbox: [0, 0, 1, 1], area: 1 })),
    categories: [{ id: 1, name: 'thing' }],
  };
  const track = () =>
    makeTrack(dir, { task: 'detection', classes: ['thing'], dataset: { format: 'coco', images: 'val', annotations: 'instances.json' }, splits });
  beforeAll(async () => {
    for (const id of [1, 2, 3, 4, 5]) await writePng(join(dir, 'val', `im${id}.png`), 4, 4, 3, pattern(4, 4, 3, id));
    writeText(join(dir, 'instances.json'), JSON.stringify(json));
  });

  it('splits the images in id order; labels are the ground truth of the split only', async () => {
    const inputs = await openInputs(track(), 'rest');
    expect(inputs.ids).toEqual(['im3.png', 'im4.png', 'im5.png']);
    expect((await inputs.read(0)).data).toEqual(pattern(4, 4, 3, 3));
    const labels = await loadLabels(track(), 'rest');
    if (labels.task !== 'detection') throw new Error('expected detection labels');
    expect(labels.ids).toEqual(['im3.png', 'im4.png', 'im5.png']);
    expect(labels.groundTruth.images.map((im) => im.id)).toEqual([3, 4, 5]);
    expect(labels.groundTruth.annotations.map((a) => a.id)).toEqual([13, 14, 15]);
  });

  it('fails early when an image of the split is missing', async () => {
    rmSync(join(dir, 'val', 'im4.png'));
    expect((await openInputs(track(), 'first')).ids).toHaveLength(2); // im4 is not in this split
    expect(await rejectionOf(openInputs(track(), 'rest'))).toMatchObject({
      code: 'LPCV_E_DATASET_MISSING',
      message: `image file not found: ${join(dir, 'val', 'im4.png')}`,
    });
  });

  it('refuses a track whose task does not fit the format', async () => {
    const wrong = makeTrack(dir, { dataset: { format: 'coco', images: 'val', annotations: 'instances.json' }, splits });
    const f = await rejectionOf(openInputs(wrong, 'first'));
    expect(f.code).toBe('LPCV_E_TRACK_INVALID');
    expect(f.message).toContain("dataset.format coco holds detection data, the track's task is classification");
  });
});

describe('segmentation', () => {
  const dir = join(tmp.dir, 'seg');
  const track = () => makeTrack(dir, { task: 'segmentation', dataset: { format: 'segmentation', images: 'img', masks: 'ann', ignoreIndex: 255 }, splits });
  beforeAll(async () => {
    for (const i of [0, 1, 2, 3, 4]) {
      await writePng(join(dir, 'img', `s${i}.png`), 4, 4, 3, pattern(4, 4, 3, i));
      await writePng(join(dir, 'ann', `s${i}.png`), 4, 4, 1, new Uint8Array(16).fill(i));
    }
  });

  it('maps split indices to the right masks and passes ignoreIndex on', async () => {
    const labels = await loadLabels(track(), 'rest');
    if (labels.task !== 'segmentation') throw new Error('expected segmentation labels');
    expect(labels.ids).toEqual(['s2.png', 's3.png', 's4.png']);
    expect(labels.ignoreIndex).toBe(255);
    expect((await labels.readMask(1)).data).toEqual(new Uint8Array(16).fill(3));
    expect((await rejectionOf(labels.readMask(3))).code).toBe('LPCV_E_INTERNAL');
  });

  it('opens inputs without the masks folder', async () => {
    rmSync(join(dir, 'ann'), { recursive: true });
    expect((await openInputs(track(), 'rest')).ids).toEqual(['s2.png', 's3.png', 's4.png']);
    expect(await rejectionOf(loadLabels(track(), 'rest'))).toMatchObject({
      code: 'LPCV_E_DATASET_MISSING',
      message: `data set folder not found: ${join(dir, 'ann')}`,
    });
  });
});
