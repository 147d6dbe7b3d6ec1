import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rejectionOf } from '../../test/testing/lpcv-errors.js';
import { makeTempDir, pattern, writePng, writeText } from '../../test/testing/write-images.js';
import { checkCocoFiles, cocoInputs, restrictGroundTruth } from './coco.js';
import { readCocoImages, readCocoInstances } from './coco-json.js';

const tmp = makeTempDir('lpcv-coco-');
const images = join(tmp.dir, 'images');

const instances = {
  info: { description: 'tiny' },
  images: [
    { id: 30, file_name: 'c.png', width: 4, height: 4, license: 1 },
    { id: 7, file_name: 'sub/a.png', width: 4, height: 2 },
    { id: 12, file_name: 'b.png' },
  ],
  annotations: [
    { id: 1, image_id: 30, category_id: 2, bbox: [0, 0, 2, 2], area: 4, iscrowd: 0, segmentation: [[0, 0, 2, 0, 2, 2]] },
    { id: 2, image_id: 7, category_id: 1, bbox: [1, 0, 1, 1], area: 1 },
    { id: 3, image_id: 30, category_id: 1, bbox: [1, 1, 3, 3], area: 9, iscrowd: 1 },
  ],
  categories: [
    { id: 1, name: 'cat', supercategory: 'animal' },
    { id: 2, name: 'dog' },
  ],
};

beforeAll(async () => {
  await writePng(join(images, 'c.png'), 4, 4, 3, pattern(4, 4, 3, 1));
  await writePng(join(images, 'sub/a.png'), 4, 2, 3, pattern(4, 2, 3, 2));
  await writePng(join(images, 'b.png'), 3, 3, 3, pattern(3, 3, 3, 3));
});
afterAll(() => tmp.remove());

function writeJson(name: string, value: unknown): string {
  const file = join(tmp.dir, name);
  writeText(file, JSON.stringify(value));
  return file;
}

describe('readCocoInstances', () => {
  it('orders images by id and drops keys the metric does not use', async () => {
    const gt = await readCocoInstances(writeJson('ok.json', instances));
    expect(gt.images.map((im) => im.id)).toEqual([7, 12, 30]);
    expect(gt.images[2]).toEqual({ id: 30, file_name: 'c.png', width: 4, height: 4 });
    expect(gt.annotations[0]).toEqual({ id: 1, image_id: 30, category_id: 2, bbox: [0, 0, 2, 2], area: 4, iscrowd: 0 });
    expect(gt.categories).toEqual([
      { id: 1, name: 'cat' },
      { id: 2, name: 'dog' },
    ]);
  });

  it('names the file and the key of a schema problem', async () => {
    const bad = { ...instances, annotations: [{ ...instances.annotations[0], bbox: [0, 0, 2] }] };
    const file = writeJson('bad-bbox.json', bad);
    const f = await rejectionOf(readCocoInstances(file));
    expect(f.code).toBe('LPCV_E_DATASET_CORRUPT');
    expect(f.message).toMatch(new RegExp(`^${file}: annotations\\.0\\.bbox: `));
    expect((await rejectionOf(readCocoInstances(writeJson('no-ann.json', { images: [] })))).message).toMatch(/no-ann\.json: annotations: /);
    const notJson = join(tmp.dir, 'not.json');
    writeText(notJson, '{"images": [');
    expect((await rejectionOf(readCocoInstances(notJson))).message).toMatch(/not\.json: not valid JSON/);
  });

  it('refuses duplicate ids and dangling references', async () => {
    const cases: [unknown, string][] = [
      [{ ...instances, images: [...instances.images, { id: 7, file_name: 'd.png' }] }, 'image id 7 appears twice'],
      [{ ...instances, images: [...instances.images, { id: 8, file_name: 'c.png' }] }, 'file_name c.png appears twice'],
      [{ ...instances, images: [{ id: 1, file_name: '../x.png' }] }, 'file_name ../x.png of image 1 leaves the images folder'],
      [{ ...instances, annotations: [...instances.annotations, { ...instances.annotations[1] }] }, 'annotation id 2 appears twice'],
      [{ ...instances, annotations: [{ ...instances.annotations[1], image_id: 99 }] }, 'annotation 2 refers to image 99, which is not in "images"'],
      [{ ...instances, annotations: [{ ...instances.annotations[1], category_id: 5 }] }, 'annotation 2 refers to category 5, which is not in "categories"'],
      [{ ...instances, categories: [...instances.categories, { id: 1, name: 'again' }] }, 'category id 1 appears twice'],
    ];
    for (const [json, expected] of cases) {
      const file = writeJson('dup.json', json);
      expect(await rejectionOf(readCocoInstances(file))).toMatchObject({ code: 'LPCV_E_DATASET_CORRUPT', message: `${file}: ${expected}` });
    }
  });
});

describe('readCocoImages', () => {
  it('needs only the image list', async () => {
    const images = await readCocoImages(writeJson('images-only.json', { images: instances.images }));
    expect(images.map((im) => im.file_name)).toEqual(['sub/a.png', 'b.png', 'c.png']);
  });
});

describe('restrictGroundTruth', () => {
  it('keeps the range of images in id order, their annotations and all categories', async () => {
    const gt = await readCocoInstances(writeJson('ok.json', instances));
    const { ids, groundTruth } = restrictGroundTruth(gt, 1, 2);
    expect(ids).toEqual(['b.png', 'c.png']);
    expect(groundTruth.images.map((im) => im.id)).toEqual([12, 30]);
    expect(groundTruth.annotations.map((a) => a.id)).toEqual([1, 3]);
    expect(groundTruth.categories).toHaveLength(2);
  });
});

describe('cocoInputs', () => {
  it('decodes images under the folder, id = file_name, checking the size the JSON gives', async () => {
    const inputs = await cocoInputs(images, writeJson('ok.json', instances));
    expect(inputs.ids).toEqual(['sub/a.png', 'b.png', 'c.png']);
    expect(await inputs.read(0)).toEqual({ id: 'sub/a.png', width: 4, height: 2, channels: 3, data: pattern(4, 2, 3, 2) });
    expect((await inputs.read(1)).width).toBe(3); // no size in the JSON: not checked

    const wrong = { ...instances, images: [{ id: 1, file_name: 'b.png', width: 4, height: 3 }] };
    const f = await rejectionOf((await cocoInputs(images, writeJson('wrong-size.json', wrong))).read(0));
    expect(f).toMatchObject({ code: 'LPCV_E_DATASET_CORRUPT', message: `${join(images, 'b.png')}: is 3x3, the annotations say 4x3 (image 1)` });
  });

  it('checkCocoFiles names the first missing image', async () => {
    const images2 = [...instances.images, { id: 40, file_name: 'gone.png' }];
    expect(await rejectionOf(checkCocoFiles(images, images2))).toMatchObject({
      code: 'LPCV_E_DATASET_MISSING',
      message: `image file not found: ${join(images, 'gone.png')}`,
    });
  });
});
