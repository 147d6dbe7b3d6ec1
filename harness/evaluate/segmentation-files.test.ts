import { watch } from 'node:fs';
import { mkdir, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rejectionOf } from '../../test/testing/lpcv-errors.js';
import { scoreSegmentationFolders } from './segmentation-files.js';
import { encodePng, tempDir, writeFileIn, writeGrayPng, writeSegmentationCase } from './testing/evaluate-files.js';

let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => ({ dir, cleanup } = await tempDir()));
afterAll(() => cleanup());

/**
 * Two 3x2 images, classes 0..2, 255 ignored.
 * a: gt [0 0 1 / 1 2 2], pred [0 1 1 / 1 2 0]
 *    class 0: TP 1, |gt| 2, |pred| 2 -> dice 2/4,  iou 1/3
 *    class 1: TP 2, |gt| 2, |pred| 3 -> dice 4/5,  iou 2/3
 *    class 2: TP 1, |gt| 2, |pred| 1 -> dice 2/3,  iou 1/2
 *    image dice (1/2 + 4/5 + 2/3) / 3 = 59/90, image iou (1/3 + 2/3 + 1/2) / 3 = 1/2
 * b: gt [2 2 2 / 2 255 0], pred [2 2 2 / 2 1 1]   (the 255 pixel is not scored)
 *    class 0: TP 0, |gt| 1, |pred| 0 -> 0;  class 1: TP 0, |gt| 0, |pred| 1 -> 0;  class 2: TP 4 of 4 and 4 -> 1
 *    image dice 1/3, image iou 1/3
 * mDice = (59/90 + 1/3) / 2 = 89/180, mIoU = (1/2 + 1/3) / 2 = 5/12.
 * Pooled per class: 0: TP 1, gt 3, pred 2 -> dice 2/5; 1: TP 2, gt 2, pred 4 -> dice 4/6; 2: TP 5, gt 6, pred 5 -> dice 10/11.
 */
async function writeCase(root: string): Promise<{ gt: string; pred: string }> {
  const { gt, pred } = await writeSegmentationCase(root);
  // b's prediction as an RGB PNG with three equal channels, and an extension in capitals.
  const b = [2, 2, 2, 2, 1, 1].flatMap((v) => [v, v, v]);
  await sharp(Buffer.from(b), { raw: { width: 3, height: 2, channels: 3 } })
    .png()
    .toFile(join(pred, 'b.PNG'));
  await writeFileIn(pred, 'notes.txt', 'not a mask: ignored');
  return { gt, pred };
}

describe('scoreSegmentationFolders', () => {
  it('scores hand-computed mDice and mIoU, numClasses derived from the ground truth', async () => {
    const { gt, pred } = await writeCase(join(dir, 'ok'));
    const r = await scoreSegmentationFolders(gt, pred, { ignoreIndex: 255 });
    expect(r.numClasses).toBe(3);
    expect(r.files).toEqual(['a.png', 'b.png']);
    expect(r.scores.images).toBe(2);
    expect(r.scores.mdice).toBeCloseTo(89 / 180, 12);
    expect(r.scores.miou).toBeCloseTo(5 / 12, 12);
    expect(r.scores.perClass.map((c) => c.dice)).toEqual([2 / 5, 4 / 6, 10 / 11]);
  });

  it('writes nothing to the temporary folder while scoring, on success or failure', async () => {
    const { gt, pred } = await writeCase(join(dir, 'no-spill'));
    const tmpRoot = join(dir, 'tmp');
    await mkdir(tmpRoot);
    // inotify sees a file that is created and removed within the call, which a listing afterwards would miss.
    const events: string[] = [];
    const watcher = watch(tmpRoot, (event, name) => events.push(`${event} ${name}`));
    const saved = process.env.TMPDIR;
    process.env.TMPDIR = tmpRoot;
    try {
      expect(tmpdir()).toBe(tmpRoot); // os.tmpdir() reads TMPDIR at each call: a spill would land here
      const r = await scoreSegmentationFolders(gt, pred, { ignoreIndex: 255 });
      expect(r.scores.mdice).toBeCloseTo(89 / 180, 12);
      expect((await rejectionOf(scoreSegmentationFolders(gt, pred, { ignoreIndex: 255, numClasses: 2 }))).code).toBe('LPCV_E_GT_MALFORMED');
      await new Promise((resolve) => setTimeout(resolve, 100)); // let pending watch events arrive
    } finally {
      watcher.close();
      if (saved === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = saved;
    }
    expect(events).toEqual([]);
    expect(await readdir(tmpRoot)).toEqual([]);
  });

  it('reports missing and extra files', async () => {
    const { gt, pred } = await writeCase(join(dir, 'mismatch'));
    await writeGrayPng(join(pred, 'c.png'), [[0]]);
    await writeGrayPng(join(gt, 'd.png'), [[0]]);
    const e = await rejectionOf(scoreSegmentationFolders(gt, pred, { ignoreIndex: 255 }));
    expect(e.code).toBe('LPCV_E_PRED_MISMATCH');
    expect(e.message).toBe(`${pred}: 1 of 3 ground-truth files have no prediction (d.png); 1 predicted files are not in the ground truth (c.png)`);
  });

  it('reports a size mismatch naming the file and both sizes', async () => {
    const { gt, pred } = await writeCase(join(dir, 'size'));
    await writeGrayPng(join(pred, 'a.png'), [[0, 1, 1, 1]]);
    const e = await rejectionOf(scoreSegmentationFolders(gt, pred, { ignoreIndex: 255 }));
    expect(e.code).toBe('LPCV_E_PRED_MISMATCH');
    expect(e.message).toBe(`${join(pred, 'a.png')}: prediction is 4x1, ground truth ${join(gt, 'a.png')} is 3x2`);
  });

  it('checks class values against numClasses, given or derived', async () => {
    const { gt, pred } = await writeCase(join(dir, 'range'));
    // Without ignoreIndex the 255 in b's ground truth is a class: out of range once numClasses is given.
    const e1 = await rejectionOf(scoreSegmentationFolders(gt, pred, { numClasses: 3 }));
    expect(e1.code).toBe('LPCV_E_GT_MALFORMED');
    expect(e1.message).toBe(`${join(gt, 'b.png')}: pixel (1, 1) holds class 255, outside [0, 3)`);
    // A prediction above the ground truth's largest class when numClasses is derived.
    await writeGrayPng(join(pred, 'a.png'), [
      [0, 1, 1],
      [1, 3, 0],
    ]);
    const e2 = await rejectionOf(scoreSegmentationFolders(gt, pred, { ignoreIndex: 255 }));
    expect(e2.code).toBe('LPCV_E_PRED_MALFORMED');
    expect(e2.message).toContain(`${join(pred, 'a.png')}: holds class 3, outside [0, 3) (numClasses derived`);
    const ok = await scoreSegmentationFolders(gt, pred, { ignoreIndex: 255, numClasses: 4 });
    expect(ok.scores.perClass[3]).toEqual({ classIndex: 3, iou: 0, dice: 0 });
    const e3 = await rejectionOf(scoreSegmentationFolders(gt, pred, { ignoreIndex: 2, numClasses: 4 }));
    expect(e3.code).toBe('LPCV_E_USAGE');
  });

  it('reads 16-bit masks and rejects a palette prediction', async () => {
    const root = join(dir, 'sixteen');
    await writeFileIn(root, 'gt/x.png', encodePng(2, 1, 16, 0, [Buffer.from([0x01, 0x2c, 0, 1])]));
    await writeFileIn(root, 'pred/x.png', encodePng(2, 1, 16, 0, [Buffer.from([0x01, 0x2c, 0, 0])]));
    const r = await scoreSegmentationFolders(join(root, 'gt'), join(root, 'pred'));
    expect(r.numClasses).toBe(301);
    expect(r.scores.mdice).toBeCloseTo(1 / 3, 12); // class 300 dice 1, class 1 dice 0 (missed), class 0 dice 0 (false positive)
    await sharp(Buffer.from([1, 0, 0, 0, 1, 0]), { raw: { width: 2, height: 1, channels: 3 } })
      .png({ palette: true })
      .toFile(join(root, 'pred/x.png'));
    expect((await rejectionOf(scoreSegmentationFolders(join(root, 'gt'), join(root, 'pred')))).code).toBe('LPCV_E_PRED_MALFORMED');
  });

  it('wants one ground-truth pixel that is not ignored, numClasses given or derived', async () => {
    const root = join(dir, 'all-ignored');
    await writeGrayPng(join(root, 'gt/x.png'), [[255, 255]]);
    await writeGrayPng(join(root, 'pred/x.png'), [[0, 1]]);
    for (const numClasses of [undefined, 2]) {
      const e = await rejectionOf(
        scoreSegmentationFolders(join(root, 'gt'), join(root, 'pred'), { ignoreIndex: 255, ...(numClasses === undefined ? {} : { numClasses }) }),
      );
      expect(e.code).toBe('LPCV_E_GT_MALFORMED');
      expect(e.message).toBe(`${join(root, 'gt')}: every ground-truth pixel is the ignore index 255`);
    }
  });

  it('wants at least one ground-truth mask', async () => {
    const root = join(dir, 'empty');
    await writeFileIn(root, 'gt/readme.txt', '');
    await writeFileIn(root, 'pred/readme.txt', '');
    expect((await rejectionOf(scoreSegmentationFolders(join(root, 'gt'), join(root, 'pred')))).code).toBe('LPCV_E_GT_MALFORMED');
  });
});
