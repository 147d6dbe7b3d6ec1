import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import type { DecodedImage, InputSet } from './types.js';
import { readDatasetFile, statDatasetFile } from './dataset-files.js';
import { checkIndex, datasetCorrupt } from './dataset-errors.js';

/**
 * IDX files (the MNIST format): a 4-byte magic 0x0000TTNN (TT = 0x08 unsigned bytes, NN = number of dims),
 * NN big-endian uint32 dims, then the data. Gzipped files (1f 8b) are inflated once and the result is cached
 * per path for the life of the process (keyed by size and mtime, so a replaced file is read again);
 * reading an image is then a 784-byte slice.
 */

export const IDX_IMAGES_MAGIC = 0x00000803;
export const IDX_LABELS_MAGIC = 0x00000801;

export interface IdxImages {
  file: string;
  count: number;
  rows: number;
  cols: number;
  /** count * rows * cols bytes, image after image. */
  pixels: Uint8Array;
}

export interface IdxLabels {
  file: string;
  labels: Uint8Array;
}

interface IdxContent {
  dims: number[];
  data: Uint8Array;
}

const gunzipAsync = promisify(gunzip);
const cache = new Map<string, { size: number; mtimeMs: number; content: Promise<IdxContent> }>();

export async function readIdxImages(file: string): Promise<IdxImages> {
  const { dims, data } = await readIdx(file, IDX_IMAGES_MAGIC);
  const [count, rows, cols] = dims;
  if (rows === 0 || cols === 0) throw datasetCorrupt(file, `images of ${rows}x${cols} pixels`);
  return { file, count, rows, cols, pixels: data };
}

export async function readIdxLabels(file: string): Promise<IdxLabels> {
  const { data } = await readIdx(file, IDX_LABELS_MAGIC);
  return { file, labels: data };
}

/** IDX sample ids: the global index, zero-padded to 5 digits (more when the file has over 100,000 samples). */
export function idxSampleId(index: number, total: number): string {
  return String(index).padStart(Math.max(5, String(total - 1).length), '0');
}

/** All images of an IDX file as one gray InputSet (the split is applied by the caller). */
export function idxInputs(images: IdxImages): InputSet {
  const { count, rows, cols, pixels } = images;
  const size = rows * cols;
  const ids = Array.from({ length: count }, (_, i) => idxSampleId(i, count));
  return {
    ids,
    async read(index: number): Promise<DecodedImage> {
      checkIndex(index, count);
      // A copy, so that a caller writing into it cannot change the cached file.
      const data = pixels.slice(index * size, (index + 1) * size);
      return { id: ids[index], width: cols, height: rows, channels: 1, data };
    },
  };
}

async function readIdx(file: string, magic: number): Promise<IdxContent> {
  const { size, mtimeMs } = await statDatasetFile(file);
  const hit = cache.get(file);
  if (hit && hit.size === size && hit.mtimeMs === mtimeMs) return hit.content;
  const content = loadIdx(file, magic);
  cache.set(file, { size, mtimeMs, content });
  // A failed read is not cached: the next call reports the error afresh (or succeeds once fixed).
  content.catch(() => {
    if (cache.get(file)?.content === content) cache.delete(file);
  });
  return content;
}

async function loadIdx(file: string, magic: number): Promise<IdxContent> {
  let bytes: Uint8Array = await readDatasetFile(file);
  const gzipped = bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
  if (gzipped) {
    try {
      bytes = await gunzipAsync(bytes);
    } catch (e) {
      throw datasetCorrupt(file, `gzip data is damaged (${e instanceof Error ? e.message : String(e)})`);
    }
  }
  return parseIdx(bytes, file, magic, gzipped);
}

/** Validates an (inflated) IDX file against the expected magic and its own dims. */
export function parseIdx(bytes: Uint8Array, file: string, magic: number, gzipped = false): IdxContent {
  const have = gzipped ? `${bytes.length} bytes after gunzip` : `${bytes.length} bytes`;
  const kind = magic === IDX_IMAGES_MAGIC ? 'IDX images' : 'IDX labels';
  if (bytes.length < 4) throw datasetCorrupt(file, `${have}, too short for an ${kind} file`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const found = view.getUint32(0);
  if (found !== magic) {
    throw datasetCorrupt(file, `magic number ${hex(found)}, expected ${hex(magic)} (${kind}, unsigned bytes)`);
  }
  const ndims = magic & 0xff;
  const headerBytes = 4 + 4 * ndims;
  if (bytes.length < headerBytes) throw datasetCorrupt(file, `${have}, shorter than its ${headerBytes}-byte header`);
  const dims = Array.from({ length: ndims }, (_, i) => view.getUint32(4 + 4 * i));
  const expected = headerBytes + dims.reduce((a, b) => a * b, 1);
  if (bytes.length !== expected) {
    const how = bytes.length < expected ? 'truncated' : 'has trailing bytes';
    throw datasetCorrupt(file, `${how}: header dims ${dims.join('x')} need ${expected} bytes, the file has ${have}`);
  }
  // A plain Uint8Array view, not a Buffer: Buffer#slice would not copy.
  return { dims, data: new Uint8Array(bytes.buffer, bytes.byteOffset + headerBytes, bytes.length - headerBytes) };
}

function hex(n: number): string {
  return `0x${n.toString(16).padStart(8, '0')}`;
}
