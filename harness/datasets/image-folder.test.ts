import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rejectionOf } from '../../test/testing/lpcv-errors.js';
import { makeTempDir, pattern, writeJpeg, writePng, writeText } from '../../test/testing/write-images.js';
import { imageFolderInputs, imageFolderLabels } from './image-folder.js';

const tmp = makeTempDir('lpcv-folder-');
const images = join(tmp.dir, 'images');
const classes = ['zero', 'one', 'two'];

beforeAll(async () => {
  await writePng(join(images, 'b.png'), 4, 4, 1, pattern(4, 4, 1, 1));
  await writePng(join(images, 'a.png'), 4, 4, 3, pattern(4, 4, 3, 2));
  await writeJpeg(join(images, 'C.JPG'), 4, 4, pattern(4, 4, 3, 3));
  await writePng(join(images, '.hidden.png'), 4, 4, 1, pattern(4, 4, 1));
  writeText(join(images, 'notes.txt'), 'not an image');
});
afterAll(() => tmp.remove());

describe('imageFolderInputs', () => {
  it('lists PNG/JPEG files by code point, skipping dot files and other files; id = file name', async () => {
    const inputs = await imageFolderInputs(images);
    expect(inputs.ids).toEqual(['C.JPG', 'a.png', 'b.png']);
    const b = await inputs.read(2);
    expect(b).toEqual({ id: 'b.png', width: 4, height: 4, channels: 1, data: pattern(4, 4, 1, 1) });
    expect((await inputs.read(0)).channels).toBe(3);
  });

  it('reports a missing folder and a file given as the folder', async () => {
    const gone = join(tmp.dir, 'gone');
    expect(await rejectionOf(imageFolderInputs(gone))).toMatchObject({ code: 'LPCV_E_DATASET_MISSING', message: `data set folder not found: ${gone}` });
    expect(await rejectionOf(imageFolderInputs(join(images, 'b.png')))).toMatchObject({
      code: 'LPCV_E_DATASET_CORRUPT',
      message: `${join(images, 'b.png')}: is not a folder`,
    });
  });
});

describe('imageFolderLabels', () => {
  it('returns the labels in sample order, whatever the CSV order', async () => {
    const csv = join(tmp.dir, 'ok.csv');
    writeText(csv, 'file,label\nb.png,two\na.png,0\nC.JPG,1\n');
    expect(await imageFolderLabels(images, csv, classes)).toEqual({ ids: ['C.JPG', 'a.png', 'b.png'], labels: [1, 0, 2] });
  });

  it('refuses a row without an image and an image without a row', async () => {
    const extra = join(tmp.dir, 'extra.csv');
    writeText(extra, 'b.png,2\na.png,0\nC.JPG,1\nd.png,1\n');
    expect(await rejectionOf(imageFolderLabels(images, extra, classes))).toMatchObject({
      code: 'LPCV_E_DATASET_CORRUPT',
      message: `${extra}: line 4: no image d.png in ${images}`,
    });
    const short = join(tmp.dir, 'short.csv');
    writeText(short, 'a.png,0\n');
    expect((await rejectionOf(imageFolderLabels(images, short, classes))).message).toBe(`${short}: no label row for image C.JPG (and 1 more)`);
  });

  it('reports a missing CSV', async () => {
    const csv = join(tmp.dir, 'absent.csv');
    expect(await rejectionOf(imageFolderLabels(images, csv, classes))).toMatchObject({
      code: 'LPCV_E_DATASET_MISSING',
      message: `data set file not found: ${csv}`,
    });
  });
});
