import { mkdir, mkdtemp, readdir, rm, symlink, truncate, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MIXED_SPECS, syntheticInputs } from '../../harness/datasets/input-pack/testing/synthetic-inputs.js';
import type { Track } from '../../harness/tracks/track.js';
import { writeSolutionTrack } from './testing/solution-tracks.js';
import { inputFileNames, readOutputFolder, readSelfReportedMs, writeInputFolder } from './package-io.js';
import { maxPredictionsBytes } from './outputs/output-checks.js';
import { rejectionOf as rejection } from '../../test/testing/lpcv-errors.js';

let scratch: string;
let classTrack: Track;
let segTrack: Track;
let n = 0;
const fresh = async (): Promise<string> => {
  const dir = path.join(scratch, `case-${++n}`);
  await mkdir(dir, { recursive: true });
  return dir;
};

beforeAll(async () => {
  scratch = await mkdtemp(path.join(os.tmpdir(), 'lpcv-package-io-'));
  classTrack = await writeSolutionTrack(scratch, 'classification');
  segTrack = await writeSolutionTrack(scratch, 'segmentation');
});
afterAll(() => rm(scratch, { recursive: true, force: true }));

const code = async (p: Promise<unknown>): Promise<string> => {
  try {
    await p;
  } catch (e) {
    return (e as { code?: string }).code ?? String(e);
  }
  return 'no error';
};

describe('inputFileNames', () => {
  it('keeps safe .png ids, adds .png to the others, cleans unsafe characters, and never gives two ids one name', () => {
    expect(inputFileNames(['a.png', 'b.jpg', '00042', 'd é.png', '../etc/passwd', '-rf', '.hidden', 'A.PNG', 'a.png', ''])).toEqual([
      'a.png',
      'b.jpg.png',
      '00042.png',
      'd__.png',
      '_._etc_passwd.png',
      '_rf.png',
      '_hidden.png',
      'A~7.png',
      'a~8.png',
      '_.png',
    ]);
  });

  it('cuts long stems so that names stay under 255 bytes', () => {
    const [name] = inputFileNames(['x'.repeat(1000)]);
    expect(name.length).toBe(204);
  });
});

describe('writeInputFolder', () => {
  it('writes one PNG per image, named as inputFileNames says, with the decoded pixels unchanged', async () => {
    const inputs = syntheticInputs(MIXED_SPECS);
    const dir = await fresh();
    const names = await writeInputFolder(inputs, dir);
    expect(names).toEqual(inputFileNames(inputs.ids));
    expect((await readdir(dir)).sort()).toEqual([...names].sort());
    for (const [i, name] of names.entries()) {
      const file = path.join(dir, name);
      const want = inputs.image(i);
      const meta = await sharp(file).metadata();
      expect([meta.format, meta.width, meta.height, meta.channels]).toEqual(['png', want.width, want.height, want.channels]);
      const { data } = await sharp(file)
        .toColourspace(want.channels === 1 ? 'b-w' : 'srgb')
        .raw()
        .toBuffer({ resolveWithObject: true });
      expect(Buffer.from(data).equals(Buffer.from(want.data))).toBe(true);
    }
  });
});

describe('readOutputFolder, classification', () => {
  const ids = ['a.png', 'b.jpg', '00042'];
  const names = inputFileNames(ids);

  it('reads predictions.json (indices or class names, lists best first) in id order', async () => {
    const dir = await fresh();
    await writeFile(path.join(dir, 'predictions.json'), JSON.stringify({ [names[2]]: 'colour', [names[0]]: [1, 0], [names[1]]: 2 }));
    await writeFile(path.join(dir, 'time.txt'), '12.5\n');
    const pred = await readOutputFolder(classTrack, ids, dir);
    expect(pred).toEqual({ kind: 'topk', ids, topk: [[1, 0], [2], [2]] });
  });

  it('reads the 2020 FPGA image.list.result (lines `<name> <class>`, up to 5 per image)', async () => {
    const dir = await fresh();
    await writeFile(path.join(dir, 'image.list.result'), `${names[0]} 2\n${names[0]} 1\n${names[1]} 0\n${names[2]} light\n`);
    const pred = await readOutputFolder(classTrack, ids, dir);
    expect(pred).toEqual({ kind: 'topk', ids, topk: [[2, 1], [0], [1]] });
  });

  it('no predictions file is LPCV_E_SOLUTION_NO_OUTPUT; both files, bad JSON or a class out of range LPCV_E_PRED_MALFORMED', async () => {
    const empty = await fresh();
    expect(await code(readOutputFolder(classTrack, ids, empty))).toBe('LPCV_E_SOLUTION_NO_OUTPUT');
    expect(await code(readOutputFolder(classTrack, ids, path.join(empty, 'gone')))).toBe('LPCV_E_SOLUTION_NO_OUTPUT');
    const both = await fresh();
    await writeFile(path.join(both, 'predictions.json'), '{}');
    await writeFile(path.join(both, 'image.list.result'), '');
    expect(await code(readOutputFolder(classTrack, ids, both))).toBe('LPCV_E_PRED_MALFORMED');
    const bad = await fresh();
    await writeFile(path.join(bad, 'predictions.json'), '{"a.png": ');
    expect(await code(readOutputFolder(classTrack, ids, bad))).toBe('LPCV_E_PRED_MALFORMED');
    const range = await fresh();
    await writeFile(path.join(range, 'predictions.json'), JSON.stringify({ [names[0]]: 3, [names[1]]: 0, [names[2]]: 0 }));
    expect(await code(readOutputFolder(classTrack, ids, range))).toBe('LPCV_E_PRED_MALFORMED');
  });

  it("never follows a link out of the output folder (a link to the host's labels is no predictions file)", async () => {
    const dir = await fresh();
    const labels = path.join(scratch, 'host-labels.json');
    await writeFile(labels, JSON.stringify({ [names[0]]: 0, [names[1]]: 1, [names[2]]: 2 }));
    await symlink(labels, path.join(dir, 'predictions.json'));
    await writeFile(path.join(scratch, 'host-time.txt'), '1');
    await symlink(path.join(scratch, 'host-time.txt'), path.join(dir, 'time.txt'));
    expect(await code(readOutputFolder(classTrack, ids, dir))).toBe('LPCV_E_SOLUTION_NO_OUTPUT');
    expect((await readSelfReportedMs(dir)).ms).toBeUndefined();
  });

  it('a missing or an unknown name is LPCV_E_PRED_MISMATCH, naming them', async () => {
    const dir = await fresh();
    await writeFile(path.join(dir, 'predictions.json'), JSON.stringify({ [names[0]]: 0, [names[1]]: 0, 'zzz.png': 1 }));
    const err = await readOutputFolder(classTrack, ids, dir).catch((e: unknown) => e as { code: string; message: string });
    expect(err).toMatchObject({ code: 'LPCV_E_PRED_MISMATCH' });
    expect((err as { message: string }).message).toContain('00042.png');
    expect((err as { message: string }).message).toContain('zzz.png');
  });
});

describe('readOutputFolder, segmentation', () => {
  const ids = ['x.png', 'y'];
  const names = inputFileNames(ids);
  const sizes = [
    { width: 3, height: 2 },
    { width: 2, height: 2 },
  ];
  const mask = (width: number, height: number, values: number[]): Promise<Buffer> =>
    sharp(Buffer.from(values), { raw: { width, height, channels: 1 } })
      .png()
      .toBuffer();

  it('reads one label map per input, matched by file name, with its class values', async () => {
    const dir = await fresh();
    await writeFile(path.join(dir, names[0]), await mask(3, 2, [0, 1, 2, 3, 2, 1]));
    await writeFile(path.join(dir, names[1]), await mask(2, 2, [3, 3, 0, 0]));
    await writeFile(path.join(dir, 'notes.txt'), 'ignored');
    const pred = await readOutputFolder(segTrack, ids, dir, { sizes });
    expect(pred.kind).toBe('label-maps');
    if (pred.kind !== 'label-maps') return;
    expect(pred.ids).toEqual(ids);
    expect(pred.maps.map((m) => [m.width, m.height, [...m.data]])).toEqual([
      [3, 2, [0, 1, 2, 3, 2, 1]],
      [2, 2, [3, 3, 0, 0]],
    ]);
  });

  it('no PNG is NO_OUTPUT; one missing, an extra one or the wrong size is PRED_MISMATCH; a class out of range or not a PNG PRED_MALFORMED', async () => {
    const none = await fresh();
    await writeFile(path.join(none, 'time.txt'), '5');
    expect(await code(readOutputFolder(segTrack, ids, none))).toBe('LPCV_E_SOLUTION_NO_OUTPUT');
    const missing = await fresh();
    await writeFile(path.join(missing, names[0]), await mask(3, 2, [0, 0, 0, 0, 0, 0]));
    expect(await code(readOutputFolder(segTrack, ids, missing))).toBe('LPCV_E_PRED_MISMATCH');
    await writeFile(path.join(missing, names[1]), await mask(2, 2, [0, 0, 0, 0]));
    await writeFile(path.join(missing, 'extra.png'), await mask(2, 2, [0, 0, 0, 0]));
    expect(await code(readOutputFolder(segTrack, ids, missing))).toBe('LPCV_E_PRED_MISMATCH');
    const size = await fresh();
    await writeFile(path.join(size, names[0]), await mask(2, 3, [0, 0, 0, 0, 0, 0]));
    await writeFile(path.join(size, names[1]), await mask(2, 2, [0, 0, 0, 0]));
    expect(await code(readOutputFolder(segTrack, ids, size, { sizes }))).toBe('LPCV_E_PRED_MISMATCH');
    const range = await fresh();
    await writeFile(path.join(range, names[0]), await mask(3, 2, [0, 0, 4, 0, 0, 0]));
    await writeFile(path.join(range, names[1]), await mask(2, 2, [0, 0, 0, 0]));
    expect(await code(readOutputFolder(segTrack, ids, range, { sizes }))).toBe('LPCV_E_PRED_MALFORMED');
    const linked = await fresh();
    await writeFile(path.join(linked, names[0]), await mask(3, 2, [0, 0, 0, 0, 0, 0]));
    await symlink(path.join(linked, names[0]), path.join(linked, names[1]));
    expect(await code(readOutputFolder(segTrack, ids, linked))).toBe('LPCV_E_PRED_MISMATCH');
    const notPng = await fresh();
    await writeFile(path.join(notPng, names[0]), 'not a png');
    await writeFile(path.join(notPng, names[1]), await mask(2, 2, [0, 0, 0, 0]));
    expect(await code(readOutputFolder(segTrack, ids, notPng))).toBe('LPCV_E_PRED_MALFORMED');
  });
});

describe('readOutputFolder, bounds on what a package wrote', () => {
  const ids = ['a.png', 'b.png'];
  const names = inputFileNames(ids);

  it('a predictions file over maxPredictionsBytes is LPCV_E_OUTPUT_TOO_LARGE from its size alone (a sparse 3 GiB file)', async () => {
    const dir = await fresh();
    const file = path.join(dir, 'predictions.json');
    await writeFile(file, '{}');
    await truncate(file, 3 * 1024 ** 3);
    const heap = process.memoryUsage().rss;
    const e = await rejection(readOutputFolder(classTrack, ids, dir));
    expect(e).toMatchObject({ code: 'LPCV_E_OUTPUT_TOO_LARGE', fault: 'submission' });
    expect(e.message).toContain(`more than the ${maxPredictionsBytes(2)} bytes read for 2 images`);
    // Nothing of it was read: the process grew by far less than the file.
    expect(process.memoryUsage().rss - heap).toBeLessThan(256 * 1024 * 1024);
    await truncate(file, maxPredictionsBytes(2));
    expect(await code(readOutputFolder(classTrack, ids, dir))).toBe('LPCV_E_PRED_MALFORMED');
  });

  it('more entries than maxFiles is LPCV_E_OUTPUT_TOO_LARGE, counted without listing the folder whole', async () => {
    const dir = await fresh();
    await writeFile(path.join(dir, 'predictions.json'), JSON.stringify({ [names[0]]: 0, [names[1]]: 1 }));
    for (let i = 0; i < 20; i++) await writeFile(path.join(dir, `junk-${i}`), '');
    expect(await code(readOutputFolder(classTrack, ids, dir, { maxFiles: 20 }))).toBe('LPCV_E_OUTPUT_TOO_LARGE');
    expect((await readOutputFolder(classTrack, ids, dir, { maxFiles: 21 })).kind).toBe('topk');
  });

  it('a label map whose header declares a huge image is refused before a pixel is decoded', async () => {
    // A valid PNG of 1x1, its IHDR rewritten to 100,000 x 100,000 (the CRC is not checked before the size).
    const tiny = await sharp(Buffer.from([0]), { raw: { width: 1, height: 1, channels: 1 } })
      .png()
      .toBuffer();
    const huge = Buffer.from(tiny);
    huge.writeUInt32BE(100_000, 16);
    huge.writeUInt32BE(100_000, 20);
    const dir = await fresh();
    for (const n of names) await writeFile(path.join(dir, n), huge);
    const sizes = [
      { width: 1, height: 1 },
      { width: 1, height: 1 },
    ];
    expect(await code(readOutputFolder(segTrack, ids, dir, { sizes }))).toBe('LPCV_E_PRED_MISMATCH');
    expect(await code(readOutputFolder(segTrack, ids, dir))).toBe('LPCV_E_OUTPUT_TOO_LARGE');
  });
});

describe('readOutputFolder, detection', () => {
  let detTrack: Track;
  beforeAll(async () => {
    detTrack = await writeSolutionTrack(await fresh(), 'detection');
  });
  const ids = ['a.png', 'b.png'];
  const sizes = [
    { width: 8, height: 6 },
    { width: 4, height: 4 },
  ];
  const write = async (entries: unknown): Promise<string> => {
    const dir = await fresh();
    await writeFile(path.join(dir, 'detections.json'), JSON.stringify(entries));
    return dir;
  };

  it('reads COCO results by input file name: class by index or name, [x, y, w, h] to corners, images without boxes too', async () => {
    const dir = await write([
      { image_id: 'a.png', category_id: 2, bbox: [1, 1, 3, 2], score: 0.5 },
      { image_id: 'a.png', category: 'light', bbox: [0, 0, 8, 6], score: 0.75 },
    ]);
    expect(await readOutputFolder(detTrack, ids, dir, { sizes })).toEqual({
      kind: 'detections',
      ids,
      detections: [
        [
          { box: [1, 1, 4, 3], score: 0.5, classIndex: 2 },
          { box: [0, 0, 8, 6], score: 0.75, classIndex: 1 },
        ],
        [],
      ],
    });
  });

  it('refuses what cannot be scored, naming the entry', async () => {
    const box = { image_id: 'a.png', category_id: 0, bbox: [0, 0, 1, 1], score: 1 };
    expect(await code(readOutputFolder(detTrack, ids, await fresh(), { sizes }))).toBe('LPCV_E_SOLUTION_NO_OUTPUT');
    for (const [entries, why] of [
      [{ not: 'a list' }, /expected a list/],
      [[{ ...box, image_id: 'z.png' }], /entry 0: image_id "z.png" is not an input file name/],
      [[{ ...box, category_id: 3 }], /entry 0: 3 is not one of the track's 3 classes/],
      [[{ ...box, category: 'hat' }], /entry 0: "hat" is not one of/],
      [[{ ...box, bbox: [0, 0, 1] }], /bbox of 4 finite numbers/],
      [[{ ...box, bbox: [0, 0, -1, 1] }], /negative size/],
      [[{ ...box, bbox: [5, 0, 4, 1] }], /outside the 8x6 image a\.png/],
      [Array.from({ length: 101 }, () => box), /more than 100 boxes for image a\.png/],
    ] as const) {
      const dir = await write(entries);
      const e = await rejection(readOutputFolder(detTrack, ids, dir, { sizes }));
      expect({ code: e.code, message: e.message }).toMatchObject({ code: 'LPCV_E_PRED_MALFORMED', message: expect.stringMatching(why) });
    }
  });
});

describe('readSelfReportedMs', () => {
  it('reads one number of ms, and ignores a missing or malformed file (with a note for the malformed one)', async () => {
    const dir = await fresh();
    expect(await readSelfReportedMs(dir)).toEqual({});
    await writeFile(path.join(dir, 'time.txt'), ' 1234.5\n');
    expect(await readSelfReportedMs(dir)).toEqual({ ms: 1234.5 });
    await writeFile(path.join(dir, 'time.txt'), 'fast');
    expect((await readSelfReportedMs(dir)).note).toContain('ignored');
    expect((await readSelfReportedMs(dir)).ms).toBeUndefined();
  });
});
