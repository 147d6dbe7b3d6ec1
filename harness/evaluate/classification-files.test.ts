import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorOf, rejectionOf } from '../../test/testing/lpcv-errors.js';
import { parseClassificationGroundTruth, parseClassificationPredictions, readClassificationFiles } from './classification-files.js';
import { FIXTURES, tempDir, writeFileIn } from './testing/evaluate-files.js';

const GT = join(FIXTURES, 'classification-gt.csv');

let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => ({ dir, cleanup } = await tempDir()));
afterAll(() => cleanup());

const NAMES = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'];

describe('readClassificationFiles', () => {
  it('reads a 2020 FPGA image.list.result against a CSV with a header', async () => {
    const input = await readClassificationFiles(GT, join(FIXTURES, 'image.list.result'));
    expect(input.predictionFormat).toBe('fpga-2020');
    expect(input.names).toEqual(['a.JPEG', 'b.JPEG', 'c.JPEG', 'd.JPEG', 'e.JPEG']);
    expect(input.labels).toEqual([3, 1, 7, 0, 9]);
    expect(input.numClasses).toBe(10); // largest label 9, + 1
    expect(input.topk[1]).toEqual([4, 1, 0, 2, 3]);
    expect(input.topk[3]).toEqual([8, 9, 6, 5, 0]);
  });

  it('reads a JSON map of single classes and ranked lists, cutting lists to 5', async () => {
    const input = await readClassificationFiles(GT, join(FIXTURES, 'classification-pred.json'), { numClasses: 12 });
    expect(input.predictionFormat).toBe('json');
    expect(input.numClasses).toBe(12);
    expect(input.topk).toEqual([[3], [4, 1], [0, 1, 2, 3, 4], [0], [2, 9]]);
  });

  it('matches names exactly and reports missing and unknown ones with counts and up to 5 examples', async () => {
    const gt = await writeFileIn(dir, 'many.csv', Array.from({ length: 10 }, (_, i) => `img${i}.jpg,${i % 3}`).join('\n'));
    const pred = await writeFileIn(dir, 'few.json', JSON.stringify({ 'img0.jpg': 0, 'img1.jpg': 1, 'IMG2.jpg': 2, 'extra.jpg': 0 }));
    const e = await rejectionOf(readClassificationFiles(gt, pred));
    expect(e.code).toBe('LPCV_E_PRED_MISMATCH');
    expect(e.message).toContain('8 of 10 ground-truth images have no prediction (img2.jpg, img3.jpg, img4.jpg, img5.jpg, img6.jpg and 3 more)');
    expect(e.message).toContain('2 predicted images are not in the ground truth (IMG2.jpg, extra.jpg)');
    expect(e.detail).toMatchObject({ missingCount: 8, unknownCount: 2, unknown: ['IMG2.jpg', 'extra.jpg'] });
    expect((e.detail?.missing as string[]).length).toBe(5);
  });

  it('accepts 1 to 5 lines per image and class names when the caller gives them', async () => {
    const gt = await writeFileIn(dir, 'named.json', JSON.stringify({ 'x y.png': 'three', 'z.png': 4 }));
    const pred = await writeFileIn(dir, 'named.result', 'x y.png three\nz.png four\nz.png 3\n\n');
    const input = await readClassificationFiles(gt, pred, { classNames: NAMES });
    expect(input.labels).toEqual([3, 4]);
    expect(input.topk).toEqual([[3], [4, 3]]);
    expect(input.numClasses).toBe(10);
  });

  it('checks a predicted class against numClasses, derived or given', async () => {
    const pred = await writeFileIn(dir, 'high.result', 'a.JPEG 3\nb.JPEG 10\nc.JPEG 1\nd.JPEG 1\ne.JPEG 1\n');
    const e = await rejectionOf(readClassificationFiles(GT, pred));
    expect(e.code).toBe('LPCV_E_PRED_MALFORMED');
    expect(e.message).toBe(`${pred}:2: class 10 is outside [0, 10)`);
    await expect(readClassificationFiles(GT, pred, { numClasses: 11 })).resolves.toMatchObject({ numClasses: 11 });
  });

  it('refuses numClasses and classNames that disagree', async () => {
    const e = await rejectionOf(readClassificationFiles(GT, join(FIXTURES, 'image.list.result'), { numClasses: 5, classNames: NAMES }));
    expect(e.code).toBe('LPCV_E_USAGE');
  });
});

describe('parseClassificationPredictions: malformed line files name the file and line', () => {
  const space = { numClasses: 10 };
  it.each([
    ['a.jpg 1\na.jpg\n', 2, 'expected "<name> <class>"'],
    ['a.jpg 1\n\na.jpg cat\n', 3, '"cat" is not a class index'],
    ['a.jpg -1\n', 1, 'not a class index'],
    ['a.jpg 1\na.jpg 2\na.jpg 3\na.jpg 4\na.jpg 5\na.jpg 6\n', 6, 'more than 5 lines for "a.jpg"'],
    ['a.jpg 1\nb.jpg 2\na.jpg 3\n', 3, '"a.jpg" appears again; its lines must be consecutive (first at line 1)'],
    ['a.jpg 1\na.jpg 1\n', 2, 'class 1 is listed twice'],
  ])('%j -> line %i', (text, line, fragment) => {
    const e = errorOf(() => parseClassificationPredictions(text, 'pred.txt', space));
    expect(e.code).toBe('LPCV_E_PRED_MALFORMED');
    expect(e.message).toMatch(new RegExp(`^pred\\.txt:${line}: `));
    expect(e.message).toContain(fragment);
    expect(e.detail).toEqual({ file: 'pred.txt', line });
  });

  it('names the key of a bad JSON entry, and reports broken JSON as JSON', () => {
    const e1 = errorOf(() => parseClassificationPredictions('{"a.jpg": [1, "x"]}', 'p.json', space));
    expect(e1.message).toBe('p.json: key "a.jpg": entry 1: "x" is not a class index (an integer >= 0; class names need the class list)');
    expect(errorOf(() => parseClassificationPredictions('{"a.jpg": []}', 'p.json', space)).message).toContain('empty class list');
    expect(errorOf(() => parseClassificationPredictions('{"a.jpg": 1.5}', 'p.json', space)).message).toContain('class 1.5 is not an integer');
    const e2 = errorOf(() => parseClassificationPredictions('{"a.jpg": 1,}', 'p.json', space));
    expect(e2.code).toBe('LPCV_E_PRED_MALFORMED');
    expect(e2.message).toMatch(/^p\.json: not valid JSON/);
    expect(errorOf(() => parseClassificationPredictions('[1, 2]', 'p.json', space)).message).toContain('expected a JSON object');
  });

  it('splits a line at its last whitespace when the name holds spaces', () => {
    const { predictions } = parseClassificationPredictions('my cat.jpg 4\r\nmy cat.jpg 2\r\n', 'p.txt', space);
    expect([...predictions]).toEqual([['my cat.jpg', [4, 2]]]);
  });
});

describe('parseClassificationGroundTruth', () => {
  it('reads CSV with or without a header, quoted fields, CRLF and a BOM', () => {
    expect([...parseClassificationGroundTruth('\uFEFFa.jpg,1\r\n"b,c.jpg",2\r\n', 'gt.csv', {})]).toEqual([
      ['a.jpg', 1],
      ['b,c.jpg', 2],
    ]);
    expect([...parseClassificationGroundTruth('file,label\na.jpg,1\n', 'gt.csv', {})]).toEqual([['a.jpg', 1]]);
  });

  it('splits at the last comma, takes class names as a data set does, and any line ending', () => {
    expect([...parseClassificationGroundTruth('image,class\ra,b.jpg,three\r"say ""hi"".jpg",0\r', 'gt.csv', { classNames: NAMES })]).toEqual([
      ['a,b.jpg', 3],
      ['say "hi".jpg', 0],
    ]);
    // The name is checked before the label, as in a data set's label file.
    expect(errorOf(() => parseClassificationGroundTruth('a.jpg,1\n,x\n', 'gt.csv', {})).message).toBe('gt.csv:2: empty image name');
  });

  it('rejects bad rows with the line number, and duplicates', () => {
    const cases: [string, string][] = [
      ['a.jpg,1\nb.jpg,x\n', 'gt.csv:2: "x" is not a class index'],
      ['a.jpg,1\nb.jpg\n', 'gt.csv:2: expected "name,label"'],
      ['a.jpg,1\na.jpg,2\n', 'gt.csv:2: "a.jpg" is already labelled at line 1'],
      ['name,label\n', 'gt.csv: no labelled images'],
    ];
    for (const [text, message] of cases) {
      const e = errorOf(() => parseClassificationGroundTruth(text, 'gt.csv', {}));
      expect(e.code).toBe('LPCV_E_GT_MALFORMED');
      expect(e.message).toContain(message);
    }
    // An out-of-range label on line 1 is an error, not a header.
    expect(errorOf(() => parseClassificationGroundTruth('a.jpg,12\n', 'gt.csv', { numClasses: 10 })).message).toBe('gt.csv:1: class 12 is outside [0, 10)');
    expect(errorOf(() => parseClassificationGroundTruth('{"a": null}', 'gt.json', {})).message).toBe(
      'gt.json: key "a": expected a class index or name, got null',
    );
  });
});
