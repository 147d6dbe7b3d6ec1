import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { errorOf, rejectionOf } from '../../test/testing/lpcv-errors.js';
import { idxBytes, makeTempDir } from '../../test/testing/write-images.js';
import { IDX_IMAGES_MAGIC, IDX_LABELS_MAGIC, idxInputs, idxSampleId, parseIdx, readIdxImages, readIdxLabels } from './idx.js';

const tmp = makeTempDir('lpcv-idx-');
afterAll(() => tmp.remove());

const pixels = Uint8Array.from({ length: 3 * 2 * 2 }, (_, i) => i * 10);

describe('parseIdx', () => {
  it('reads dims and data after the header', () => {
    const { dims, data } = parseIdx(idxBytes([3, 2, 2], pixels), 'x', IDX_IMAGES_MAGIC);
    expect(dims).toEqual([3, 2, 2]);
    expect(Array.from(data)).toEqual(Array.from(pixels));
  });

  it('rejects a wrong magic number, naming both', () => {
    const f = errorOf(() => parseIdx(idxBytes([3], new Uint8Array(3)), 'labels-as-images', IDX_IMAGES_MAGIC));
    expect(f.code).toBe('LPCV_E_DATASET_CORRUPT');
    expect(f.message).toBe('labels-as-images: magic number 0x00000801, expected 0x00000803 (IDX images, unsigned bytes)');
    const floats = errorOf(() => parseIdx(idxBytes([3], new Uint8Array(12), 0x0d01), 'f', IDX_LABELS_MAGIC));
    expect(floats.message).toContain('magic number 0x00000d01, expected 0x00000801');
  });

  it('rejects short, truncated and over-long files', () => {
    expect(errorOf(() => parseIdx(new Uint8Array(2), 'a', IDX_LABELS_MAGIC)).message).toBe('a: 2 bytes, too short for an IDX labels file');
    expect(errorOf(() => parseIdx(idxBytes([3, 2, 2], pixels).subarray(0, 10), 'b', IDX_IMAGES_MAGIC)).message).toBe(
      'b: 10 bytes, shorter than its 16-byte header',
    );
    expect(errorOf(() => parseIdx(idxBytes([3, 2, 2], pixels).subarray(0, 27), 'c', IDX_IMAGES_MAGIC)).message).toBe(
      'c: truncated: header dims 3x2x2 need 28 bytes, the file has 27 bytes',
    );
    const long = new Uint8Array(30);
    long.set(idxBytes([3, 2, 2], pixels));
    expect(errorOf(() => parseIdx(long, 'd', IDX_IMAGES_MAGIC)).message).toBe('d: has trailing bytes: header dims 3x2x2 need 28 bytes, the file has 30 bytes');
  });
});

describe('readIdxImages / readIdxLabels', () => {
  it('reads raw and gzipped files alike', async () => {
    const raw = join(tmp.dir, 'raw-images');
    const gz = join(tmp.dir, 'images.gz');
    writeFileSync(raw, idxBytes([3, 2, 2], pixels));
    writeFileSync(gz, gzipSync(idxBytes([3, 2, 2], pixels)));
    for (const file of [raw, gz]) {
      const images = await readIdxImages(file);
      expect([images.count, images.rows, images.cols]).toEqual([3, 2, 2]);
      expect(Array.from(images.pixels)).toEqual(Array.from(pixels));
    }
    const labels = join(tmp.dir, 'labels.gz');
    writeFileSync(labels, gzipSync(idxBytes([3], Uint8Array.of(2, 0, 1))));
    expect(Array.from((await readIdxLabels(labels)).labels)).toEqual([2, 0, 1]);
  });

  it('caches the inflated file per path and re-reads a replaced file', async () => {
    const file = join(tmp.dir, 'cached.gz');
    writeFileSync(file, gzipSync(idxBytes([3, 2, 2], pixels)));
    const a = await readIdxImages(file);
    const b = await readIdxImages(file);
    expect(b.pixels).toBe(a.pixels);
    writeFileSync(file, gzipSync(idxBytes([2, 2, 2], pixels.subarray(0, 8))));
    const { utimesSync } = await import('node:fs');
    utimesSync(file, new Date(), new Date(Date.now() + 5000)); // a different mtime even on coarse clocks
    expect((await readIdxImages(file)).count).toBe(2);
  });

  it('reports damaged gzip, missing files and wrong kinds of file', async () => {
    const damaged = join(tmp.dir, 'damaged.gz');
    writeFileSync(damaged, gzipSync(idxBytes([3, 2, 2], pixels)).subarray(0, 20));
    const d = await rejectionOf(readIdxImages(damaged));
    expect(d.code).toBe('LPCV_E_DATASET_CORRUPT');
    expect(d.message).toMatch(/damaged\.gz: gzip data is damaged/);

    const missing = join(tmp.dir, 'nope.gz');
    expect(await rejectionOf(readIdxImages(missing))).toMatchObject({ code: 'LPCV_E_DATASET_MISSING', message: `data set file not found: ${missing}` });

    const gzTruncated = join(tmp.dir, 'short-inside.gz');
    writeFileSync(gzTruncated, gzipSync(idxBytes([3, 2, 2], pixels).subarray(0, 20)));
    expect((await rejectionOf(readIdxImages(gzTruncated))).message).toContain('truncated: header dims 3x2x2 need 28 bytes, the file has 20 bytes after gunzip');

    expect((await rejectionOf(readIdxImages(tmp.dir))).message).toBe(`${tmp.dir}: is not a regular file`);
  });

  it('fails again after a failure (errors are not cached)', async () => {
    const file = join(tmp.dir, 'fixed-later');
    writeFileSync(file, idxBytes([3, 2, 2], pixels).subarray(0, 20));
    expect((await rejectionOf(readIdxImages(file))).code).toBe('LPCV_E_DATASET_CORRUPT');
    writeFileSync(file, idxBytes([3, 2, 2], pixels));
    expect((await readIdxImages(file)).count).toBe(3);
  });
});

describe('idxInputs', () => {
  it('serves gray images by global index with zero-padded ids, as copies', async () => {
    const file = join(tmp.dir, 'inputs');
    writeFileSync(file, idxBytes([3, 2, 2], pixels));
    const inputs = idxInputs(await readIdxImages(file));
    expect(inputs.ids).toEqual(['00000', '00001', '00002']);
    const img = await inputs.read(2);
    expect(img).toEqual({ id: '00002', width: 2, height: 2, channels: 1, data: Uint8Array.of(80, 90, 100, 110) });
    img.data[0] = 0;
    expect((await inputs.read(2)).data[0]).toBe(80);
    expect((await rejectionOf(inputs.read(3))).code).toBe('LPCV_E_INTERNAL');
  });

  it('pads ids to five digits, more for larger files', () => {
    expect(idxSampleId(2000, 10000)).toBe('02000');
    expect(idxSampleId(7, 100000)).toBe('00007');
    expect(idxSampleId(7, 100001)).toBe('000007');
  });
});
