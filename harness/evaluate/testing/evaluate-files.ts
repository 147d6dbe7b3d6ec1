/** Helpers shared by the evaluate tests (not used by the evaluate code itself). */
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import sharp from 'sharp';

/** The fixtures committed for these tests. */
export const FIXTURES = new URL('../../../test/fixtures/evaluate/', import.meta.url).pathname;

/** A fresh temporary folder and a function that removes it. */
export async function tempDir(): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'lpcv-evaluate-'));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** Writes an 8-bit grayscale PNG label map with sharp; `rows` are the class values, row by row. */
export async function writeGrayPng(file: string, rows: readonly (readonly number[])[]): Promise<void> {
  const height = rows.length;
  const width = rows[0].length;
  await mkdir(join(file, '..'), { recursive: true });
  await sharp(Buffer.from(rows.flat()), { raw: { width, height, channels: 1 } })
    .toColourspace('b-w')
    .png()
    .toFile(file);
}

/**
 * The hand-computed segmentation case worked through in segmentation-files.test.ts: gt/a.png, gt/b.png and
 * pred/a.png under `root`, 3x2 gray label maps, classes 0..2, 255 ignored. b's prediction, [2 2 2 / 2 1 1], is
 * left to the caller, which writes it in the form its test is about.
 */
export async function writeSegmentationCase(root: string): Promise<{ gt: string; pred: string }> {
  const gt = join(root, 'gt');
  const pred = join(root, 'pred');
  await writeGrayPng(join(gt, 'a.png'), [
    [0, 0, 1],
    [1, 2, 2],
  ]);
  await writeGrayPng(join(gt, 'b.png'), [
    [2, 2, 2],
    [2, 255, 0],
  ]);
  await writeGrayPng(join(pred, 'a.png'), [
    [0, 1, 1],
    [1, 2, 0],
  ]);
  return { gt, pred };
}

/**
 * A minimal PNG encoder for the formats sharp will not write on request (16-bit, 1/2/4-bit gray). Filter 0
 * on every row; `rows` hold the already packed sample bytes of each row (big-endian for 16-bit).
 */
export function encodePng(width: number, height: number, bitDepth: number, colorType: number, rows: readonly Buffer[]): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = bitDepth;
  ihdr[9] = colorType;
  const raw = Buffer.concat(rows.map((r) => Buffer.concat([Buffer.from([0]), r])));
  return Buffer.concat([
    Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]),
    pngChunk('IHDR', ihdr),
    pngChunk('IDAT', deflateSync(raw)),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

export async function writeFileIn(dir: string, name: string, content: string | Buffer): Promise<string> {
  const file = join(dir, name);
  await mkdir(join(file, '..'), { recursive: true });
  await writeFile(file, content);
  return file;
}

function pngChunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}

function crc32(buf: Buffer): number {
  let crc = 0xffffffff;
  for (const byte of buf) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? 0xedb88320 ^ (crc >>> 1) : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}
