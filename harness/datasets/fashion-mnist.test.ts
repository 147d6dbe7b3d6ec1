import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadTrackFile } from '../tracks/load-track.js';
import { loadLabels, openInputs } from './open-split.js';

/**
 * The real sample data: tracks/fashion-mnist (Fashion-MNIST t10k, 10,000 images). Expected values were
 * read with /usr/bin/python3: numpy.frombuffer(gzip.open(f).read(), uint8, offset=16).reshape(-1, 28, 28).
 */
const track = loadTrackFile(fileURLToPath(new URL('../../tracks/fashion-mnist/track.json', import.meta.url)));

function sum(data: Uint8Array): number {
  return data.reduce((a, b) => a + b, 0);
}

describe('fashion-mnist', () => {
  it('reads the val split: image 0 is an ankle boot', async () => {
    const inputs = await openInputs(track, 'val');
    expect(inputs.ids).toHaveLength(2000);
    expect(inputs.ids[0]).toBe('00000');
    const img = await inputs.read(0);
    expect([img.width, img.height, img.channels]).toEqual([28, 28, 1]);
    const at = (y: number, x: number): number => img.data[y * 28 + x];
    expect([at(0, 0), at(14, 14), at(7, 19), at(7, 20), at(7, 23)]).toEqual([0, 110, 3, 1, 7]);
    expect(sum(img.data)).toBe(33456);

    const labels = await loadLabels(track, 'val');
    if (labels.task !== 'classification') throw new Error('expected classification labels');
    expect(labels.labels).toHaveLength(2000);
    expect(labels.labels.slice(0, 5)).toEqual([9, 2, 1, 1, 6]);
    expect(track.classes[labels.labels[0]]).toBe('Ankle boot');
  });

  it('reads the test split with global ids', async () => {
    const inputs = await openInputs(track, 'test');
    expect(inputs.ids).toHaveLength(8000);
    expect([inputs.ids[0], inputs.ids[7999]]).toEqual(['02000', '09999']);
    const first = await inputs.read(0);
    expect(first.id).toBe('02000');
    expect([first.data[14 * 28 + 14], first.data[10 * 28 + 12], sum(first.data)]).toEqual([111, 163, 54561]);
    const last = await inputs.read(7999);
    expect([last.data[14 * 28 + 14], last.data[20 * 28 + 7], sum(last.data)]).toEqual([132, 50, 24390]);

    const labels = await loadLabels(track, 'test');
    if (labels.task !== 'classification') throw new Error('expected classification labels');
    expect([labels.labels[0], labels.labels[7999]]).toEqual([8, 5]);
  });

  it('reads every image of the test split, 784 bytes each', async () => {
    const inputs = await openInputs(track, 'test');
    let total = 0;
    for (let i = 0; i < inputs.ids.length; i++) total += (await inputs.read(i)).data.length;
    expect(total).toBe(8000 * 784);
  });
});
