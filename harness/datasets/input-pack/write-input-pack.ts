import { createHash, randomBytes } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';
import { open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { LpcvError } from '../../../errors/lpcv-error.js';
import type { DecodedImage, InputSet } from '../types.js';
import type { InputPackHeader, InputPackImage } from './input-pack-format.js';
import { INPUT_PACK_MAX_HEADER_BYTES, encodePreamble } from './input-pack-format.js';

export interface InputPackMeta {
  track: string;
  split: string;
}

export interface WrittenInputPack {
  /** Lowercase hex sha256 of the whole file. */
  sha256: string;
  bytes: number;
  count: number;
}

/** Bytes copied from the pixel spool to the pack per read. */
const COPY_CHUNK = 1024 * 1024;

/**
 * Writes one split's inputs as an input pack (input-pack-format.ts): labels are not an argument, so none
 * can get in. Images are read one at a time, in order, and their pixels go straight to a spool file beside
 * `outFile` (the header, which comes first, needs every image's size); then the preamble, the header and
 * the spool are written to a temp file, hashed on the way, and the temp file is renamed to `outFile`.
 * On failure neither temp file is left behind and an existing `outFile` is untouched.
 */
export async function writeInputPack(inputs: InputSet, meta: InputPackMeta, outFile: string): Promise<WrittenInputPack> {
  const tag = `${process.pid}-${randomBytes(6).toString('hex')}`;
  const spoolFile = join(dirname(outFile), `.${basename(outFile)}.${tag}.pixels`);
  const tmpFile = join(dirname(outFile), `.${basename(outFile)}.${tag}.tmp`);
  try {
    const images = await spoolPixels(inputs, spoolFile);
    const header: InputPackHeader = { track: meta.track, split: meta.split, count: images.length, layout: 'HWC', dtype: 'uint8', images };
    const written = await assemble(tmpFile, encodeHeader(header), spoolFile);
    await rename(tmpFile, outFile);
    return { ...written, count: images.length };
  } catch (e) {
    await rm(tmpFile, { force: true });
    throw e;
  } finally {
    await rm(spoolFile, { force: true });
  }
}

/** The header's bytes; keys in a fixed order, so that the same inputs give the same bytes. */
function encodeHeader(h: InputPackHeader): Buffer {
  const json = JSON.stringify({
    track: h.track,
    split: h.split,
    count: h.count,
    layout: h.layout,
    dtype: h.dtype,
    images: h.images.map((i) => ({ id: i.id, width: i.width, height: i.height, channels: i.channels, offset: i.offset, length: i.length })),
  });
  const bytes = Buffer.from(json, 'utf8');
  if (bytes.length > INPUT_PACK_MAX_HEADER_BYTES) {
    throw new LpcvError('LPCV_E_INTERNAL', `an input pack header of ${bytes.length} bytes (${h.count} images) exceeds ${INPUT_PACK_MAX_HEADER_BYTES} bytes`);
  }
  return bytes;
}

async function spoolPixels(inputs: InputSet, spoolFile: string): Promise<InputPackImage[]> {
  const images: InputPackImage[] = [];
  const fh = await open(spoolFile, 'wx');
  try {
    let offset = 0;
    for (let i = 0; i < inputs.ids.length; i++) {
      const img = await inputs.read(i);
      checkImage(img, inputs.ids[i], i);
      await writeAll(fh, img.data);
      images.push({ id: img.id, width: img.width, height: img.height, channels: img.channels, offset, length: img.data.length });
      offset += img.data.length;
    }
  } finally {
    await fh.close();
  }
  return images;
}

/** The InputSet's own promises (DecodedImage's doc comment); breaking one is a bug in the InputSet. */
function checkImage(img: DecodedImage, id: string, index: number): void {
  const problem =
    img.id !== id
      ? `has id ${JSON.stringify(img.id)}, the set lists ${JSON.stringify(id)}`
      : !Number.isInteger(img.width) || !Number.isInteger(img.height) || img.width <= 0 || img.height <= 0
        ? `is ${img.width}x${img.height} pixels`
        : img.channels !== 1 && img.channels !== 3
          ? `has ${String(img.channels)} channels`
          : img.data.length !== img.width * img.height * img.channels
            ? `holds ${img.data.length} bytes, not ${img.width} x ${img.height} x ${img.channels}`
            : undefined;
  if (problem !== undefined) {
    throw new LpcvError('LPCV_E_INTERNAL', `input ${index} ${problem}: cannot pack it`, { index, id });
  }
}

async function assemble(tmpFile: string, header: Buffer, spoolFile: string): Promise<{ sha256: string; bytes: number }> {
  const hash = createHash('sha256');
  let bytes = 0;
  const out = await open(tmpFile, 'wx');
  try {
    const put = async (chunk: Uint8Array): Promise<void> => {
      hash.update(chunk);
      await writeAll(out, chunk);
      bytes += chunk.length;
    };
    await put(encodePreamble(header.length));
    await put(header);
    const spool = await open(spoolFile, 'r');
    try {
      const buf = Buffer.alloc(COPY_CHUNK);
      for (;;) {
        const { bytesRead } = await spool.read(buf, 0, buf.length, null);
        if (bytesRead === 0) break;
        await put(buf.subarray(0, bytesRead));
      }
    } finally {
      await spool.close();
    }
    await out.sync();
  } finally {
    await out.close();
  }
  return { sha256: hash.digest('hex'), bytes };
}

async function writeAll(fh: FileHandle, data: Uint8Array): Promise<void> {
  let done = 0;
  while (done < data.length) {
    const { bytesWritten } = await fh.write(data, done, data.length - done);
    done += bytesWritten;
  }
}
