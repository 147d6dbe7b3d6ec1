import { createHash } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';
import { open } from 'node:fs/promises';
import { LpcvError } from '../../../errors/lpcv-error.js';
import { checkIndex, datasetMissing, errnoCode } from '../dataset-errors.js';
import type { DecodedImage, InputSet } from '../types.js';
import { packHashMismatch, packInvalid } from './input-pack-errors.js';
import { INPUT_PACK_MAGIC, INPUT_PACK_MAX_HEADER_BYTES, INPUT_PACK_PREAMBLE_BYTES, INPUT_PACK_VERSION, type InputPackHeader } from './input-pack-format.js';
import { parseHeader } from './input-pack-header.js';

/** An opened input pack: random access to its images through one file handle. Call close() when done. */
export interface InputPack extends InputSet {
  readonly track: string;
  readonly split: string;
  /** The file's size in bytes. */
  readonly bytes: number;
  close(): Promise<void>;
}

export interface OpenInputPackOptions {
  /** The sha256 the server announced (hex, any case): the whole file is hashed first and must match. */
  expectSha256?: string;
}

const HASH_CHUNK = 1024 * 1024;

/**
 * Opens an input pack (input-pack-format.ts) and checks it before any image is read: the sha256 when one
 * is expected (LPCV_E_INPUT_PACK_HASH), then magic, version, header length and header against the file's
 * size (LPCV_E_INPUT_PACK_INVALID). Nothing is allocated or read from a length the file has not been checked
 * to hold. `read(i)` then reads image i alone, with one positioned read.
 */
export async function openInputPack(file: string, opts: OpenInputPackOptions = {}): Promise<InputPack> {
  const expected = opts.expectSha256?.toLowerCase();
  if (expected !== undefined && !/^[0-9a-f]{64}$/.test(expected)) {
    throw new LpcvError('LPCV_E_USAGE', `expected sha256 ${JSON.stringify(opts.expectSha256)} is not 64 hex digits`);
  }
  let fh: FileHandle;
  try {
    fh = await open(file, 'r');
  } catch (e) {
    const code = errnoCode(e);
    if (code === 'ENOENT' || code === 'ENOTDIR') throw datasetMissing(file, 'input pack');
    throw packInvalid(file, `cannot be read (${code ?? String(e)})`);
  }
  try {
    const stat = await fh.stat();
    if (!stat.isFile()) throw packInvalid(file, 'is not a regular file');
    const size = stat.size;
    if (expected !== undefined) {
      const actual = await sha256Of(fh, size);
      if (actual !== expected) throw packHashMismatch(file, expected, actual);
    }
    const { header, dataStart } = await readHeader(fh, file, size);
    return packOf(fh, file, size, header, dataStart);
  } catch (e) {
    await fh.close();
    throw e;
  }
}

async function readHeader(fh: FileHandle, file: string, size: number): Promise<{ header: InputPackHeader; dataStart: number }> {
  if (size < INPUT_PACK_PREAMBLE_BYTES) {
    throw packInvalid(file, `${size} bytes, shorter than the ${INPUT_PACK_PREAMBLE_BYTES}-byte preamble: truncated?`);
  }
  const raw = await readExactly(fh, file, 0, INPUT_PACK_PREAMBLE_BYTES);
  const preamble = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
  if (!preamble.subarray(0, INPUT_PACK_MAGIC.length).equals(INPUT_PACK_MAGIC)) {
    throw packInvalid(file, `not an input pack (the file does not start with "${INPUT_PACK_MAGIC.toString('ascii')}")`);
  }
  const version = preamble.readUInt32LE(8);
  if (version !== INPUT_PACK_VERSION) {
    throw packInvalid(file, `input pack version ${version}; this harness reads version ${INPUT_PACK_VERSION}`, { version });
  }
  const headerBytes = preamble.readUInt32LE(12);
  if (headerBytes > INPUT_PACK_MAX_HEADER_BYTES) {
    throw packInvalid(file, `claims a ${headerBytes}-byte header, more than the ${INPUT_PACK_MAX_HEADER_BYTES} bytes allowed`);
  }
  const dataStart = INPUT_PACK_PREAMBLE_BYTES + headerBytes;
  if (dataStart > size) {
    throw packInvalid(file, `claims a ${headerBytes}-byte header but has only ${size - INPUT_PACK_PREAMBLE_BYTES} bytes after the preamble: truncated?`);
  }
  let json: string;
  try {
    json = new TextDecoder('utf-8', { fatal: true }).decode(await readExactly(fh, file, INPUT_PACK_PREAMBLE_BYTES, headerBytes));
  } catch (e) {
    if (e instanceof LpcvError) throw e;
    throw packInvalid(file, 'the header is not valid UTF-8');
  }
  return { header: parseHeader(file, json, size - dataStart), dataStart };
}

function packOf(fh: FileHandle, file: string, size: number, header: InputPackHeader, dataStart: number): InputPack {
  const ids = header.images.map((i) => i.id);
  let closed = false;
  return {
    track: header.track,
    split: header.split,
    bytes: size,
    ids,
    async read(index: number): Promise<DecodedImage> {
      checkIndex(index, ids.length);
      if (closed) throw new LpcvError('LPCV_E_INTERNAL', `${file}: read(${index}) after close()`);
      const img = header.images[index];
      const data = await readExactly(fh, file, dataStart + img.offset, img.length);
      return { id: img.id, width: img.width, height: img.height, channels: img.channels, data };
    },
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      await fh.close();
    },
  };
}

/** `length` bytes at `position` into a fresh array; a file that ends early (changed since it was checked) is INVALID. */
async function readExactly(fh: FileHandle, file: string, position: number, length: number): Promise<Uint8Array> {
  const out = new Uint8Array(length);
  let done = 0;
  while (done < length) {
    const { bytesRead } = await fh.read(out, done, length - done, position + done);
    if (bytesRead === 0) throw packInvalid(file, `ends at byte ${position + done}, expected at least ${position + length}: truncated since it was opened?`);
    done += bytesRead;
  }
  return out;
}

async function sha256Of(fh: FileHandle, size: number): Promise<string> {
  const hash = createHash('sha256');
  const buf = Buffer.alloc(Math.min(HASH_CHUNK, Math.max(size, 1)));
  for (let position = 0; ;) {
    const { bytesRead } = await fh.read(buf, 0, buf.length, position);
    if (bytesRead === 0) break;
    hash.update(buf.subarray(0, bytesRead));
    position += bytesRead;
  }
  return hash.digest('hex');
}
