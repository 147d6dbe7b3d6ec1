import { mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { INPUT_PACK_MAX_HEADER_BYTES, INPUT_PACK_PREAMBLE_BYTES, encodePreamble } from './input-pack-format.js';
import { openInputPack } from './read-input-pack.js';
import { MIXED_SPECS, syntheticInputs } from './testing/synthetic-inputs.js';
import { writeInputPack } from './write-input-pack.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'lpcv-pack-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const twoGray = () => [
  { id: 'x', width: 2, height: 2, channels: 1, offset: 0, length: 4 },
  { id: 'y', width: 1, height: 2, channels: 3, offset: 4, length: 6 },
];

/** A pack made by hand: `header` is JSON-encoded unless it is a string; the preamble can lie. */
function craft(header: unknown, data: Uint8Array, opts: { version?: number; headerBytes?: number } = {}): string {
  const h = Buffer.from(typeof header === 'string' ? header : JSON.stringify(header), 'utf8');
  const file = join(dir, `crafted-${Math.random().toString(16).slice(2)}`);
  writeFileSync(file, Buffer.concat([encodePreamble(opts.headerBytes ?? h.length, opts.version), h, data]));
  return file;
}

function header(images: unknown[], extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { track: 't', split: 's', count: images.length, layout: 'HWC', dtype: 'uint8', images, ...extra };
}

async function writeValid(): Promise<{ file: string; sha256: string; bytes: number }> {
  const file = join(dir, 'valid');
  const w = await writeInputPack(syntheticInputs(MIXED_SPECS), { track: 'toy', split: 'val' }, file);
  return { file, ...w };
}

const invalid = (message: RegExp) => ({ code: 'LPCV_E_INPUT_PACK_INVALID', message: expect.stringMatching(message) });

describe('openInputPack', () => {
  it('opens a hand-made pack that follows the format', async () => {
    const pack = await openInputPack(craft(header(twoGray()), new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])));
    expect(await pack.read(1)).toEqual({ id: 'y', width: 1, height: 2, channels: 3, data: new Uint8Array([5, 6, 7, 8, 9, 10]) });
    await pack.close();
  });

  it('checks the sha256 when one is expected: any case matches, a mismatch says the download is corrupt', async () => {
    const { file, sha256 } = await writeValid();
    await (await openInputPack(file, { expectSha256: sha256.toUpperCase() })).close();
    const wrong = sha256.replace(/^./, (c) => (c === '0' ? '1' : '0'));
    await expect(openInputPack(file, { expectSha256: wrong })).rejects.toMatchObject({
      code: 'LPCV_E_INPUT_PACK_HASH',
      message: expect.stringMatching(/download is corrupt/),
      detail: { expected: wrong, actual: sha256 },
    });
    await expect(openInputPack(file, { expectSha256: 'abc' })).rejects.toMatchObject({ code: 'LPCV_E_USAGE' });
  });

  it('refuses a download cut short: by the hash when one is expected, by the layout otherwise', async () => {
    const { file, sha256, bytes } = await writeValid();
    truncateSync(file, bytes - 1);
    await expect(openInputPack(file, { expectSha256: sha256 })).rejects.toMatchObject({ code: 'LPCV_E_INPUT_PACK_HASH' });
    await expect(openInputPack(file)).rejects.toMatchObject(invalid(/image 3 .*past the end of the pixel data.*truncated\?/));
    truncateSync(file, 40);
    await expect(openInputPack(file)).rejects.toMatchObject(invalid(/-byte header but has only 24 bytes after the preamble: truncated\?/));
    truncateSync(file, 10);
    await expect(openInputPack(file)).rejects.toMatchObject(invalid(/10 bytes, shorter than the 16-byte preamble/));
    truncateSync(file, 0);
    await expect(openInputPack(file)).rejects.toMatchObject(invalid(/0 bytes/));
  });

  it('refuses a flipped magic, another version and a huge header length', async () => {
    const { file } = await writeValid();
    const bytes = readFileSync(file);
    bytes[0] ^= 0xff;
    writeFileSync(file, bytes);
    await expect(openInputPack(file)).rejects.toMatchObject(invalid(/not an input pack/));

    await expect(openInputPack(craft(header([]), new Uint8Array(), { version: 2 }))).rejects.toMatchObject(invalid(/version 2; this harness reads version 1/));
    await expect(openInputPack(craft(header([]), new Uint8Array(), { headerBytes: 0xffffffff }))).rejects.toMatchObject(
      invalid(/4294967295-byte header, more than the 67108864 bytes allowed/),
    );
    await expect(openInputPack(craft(header([]), new Uint8Array(), { headerBytes: INPUT_PACK_MAX_HEADER_BYTES }))).rejects.toMatchObject(
      invalid(/truncated\?/),
    );
  });

  it('refuses a header that claims pixels past the end of the file, without reading there', async () => {
    const images = twoGray();
    images[1].offset = 1e15;
    await expect(openInputPack(craft(header(images), new Uint8Array(10)))).rejects.toMatchObject(
      invalid(/image 1 \("y"\) claims pixel bytes 1000000000000000\.\..*past the end/),
    );
    const huge = [{ id: 'x', width: 65535, height: 65535, channels: 3, offset: 0, length: 65535 * 65535 * 3 }];
    await expect(openInputPack(craft(header(huge), new Uint8Array(10)))).rejects.toMatchObject(invalid(/past the end of the pixel data \(10 bytes\)/));
  });

  it('refuses overlapping images, gaps, trailing bytes, a wrong count, a wrong length and repeated ids', async () => {
    const data = new Uint8Array(10);
    const overlap = twoGray();
    overlap[1].offset = 3;
    await expect(openInputPack(craft(header(overlap), data))).rejects.toMatchObject(invalid(/starts at pixel byte 3, expected 4: it overlaps/));
    const gap = twoGray();
    gap[0].offset = 1;
    gap[1].offset = 5;
    await expect(openInputPack(craft(header(gap), new Uint8Array(11)))).rejects.toMatchObject(invalid(/image 0 .* leaves a gap/));
    await expect(openInputPack(craft(header(twoGray()), new Uint8Array(12)))).rejects.toMatchObject(invalid(/2 bytes after the last image/));
    await expect(openInputPack(craft(header(twoGray(), { count: 3 }), data))).rejects.toMatchObject(invalid(/says 3 images but lists 2/));
    const badLength = twoGray();
    badLength[0].length = 5;
    await expect(openInputPack(craft(header(badLength), new Uint8Array(11)))).rejects.toMatchObject(invalid(/length 5 is not 2 x 2 x 1/));
    const twice = twoGray();
    twice[1].id = 'x';
    await expect(openInputPack(craft(header(twice), data))).rejects.toMatchObject(invalid(/image 1 \("x"\): the id appears twice/));
  });

  it('refuses a header that is not JSON, not UTF-8, or carries anything but inputs (a label, say)', async () => {
    await expect(openInputPack(craft('{"track":', new Uint8Array()))).rejects.toMatchObject(invalid(/not valid JSON/));
    const raw = join(dir, 'raw');
    writeFileSync(raw, Buffer.concat([encodePreamble(3), Buffer.from([0x7b, 0xff, 0x7d])]));
    await expect(openInputPack(raw)).rejects.toMatchObject(invalid(/not valid UTF-8/));

    const labelled = twoGray().map((img, i) => ({ ...img, label: i }));
    await expect(openInputPack(craft(header(labelled), new Uint8Array(10)))).rejects.toMatchObject(invalid(/images\.0: Unrecognized key.*"label"/));
    await expect(openInputPack(craft(header(twoGray(), { labels: [0, 1] }), new Uint8Array(10)))).rejects.toMatchObject(invalid(/"labels"/));
    const bad = twoGray().map((img) => ({ ...img, channels: 4 }));
    await expect(openInputPack(craft(header(bad), new Uint8Array(10)))).rejects.toMatchObject(invalid(/images\.0\.channels/));
  });

  it('names at most three schema problems of a hostile header', async () => {
    const images = Array.from({ length: 1000 }, () => ({ id: '' }));
    const err = await openInputPack(craft(header(images), new Uint8Array())).catch((e: unknown) => e);
    expect(err).toMatchObject(invalid(/\(and \d+ more\)$/));
    expect((err as Error).message.length).toBeLessThan(1000);
  });

  it('reports a missing file as LPCV_E_DATASET_MISSING', async () => {
    await expect(openInputPack(join(dir, 'nope'))).rejects.toMatchObject({ code: 'LPCV_E_DATASET_MISSING' });
  });

  it('reads each image from the file when asked, not from a copy taken at open', async () => {
    const { file } = await writeValid();
    const inputs = syntheticInputs(MIXED_SPECS);
    const pack = await openInputPack(file);
    try {
      // Overwrite image 1's pixels on disk after opening: read(1) sees them, read(0) and read(2) do not change.
      const headerBytes = readFileSync(file).readUInt32LE(12);
      const fh = await open(file, 'r+');
      await fh.write(new Uint8Array(30).fill(0xee), 0, 30, INPUT_PACK_PREAMBLE_BYTES + headerBytes + 12);
      await fh.close();
      expect((await pack.read(1)).data).toEqual(new Uint8Array(30).fill(0xee));
      expect(await pack.read(0)).toEqual(inputs.image(0));
      expect(await pack.read(2)).toEqual(inputs.image(2));
      // Concurrent positioned reads on the one handle.
      const all = await Promise.all([0, 2, 3, 0].map((i) => pack.read(i)));
      expect(all.map((img) => img.id)).toEqual(['a.png', 'c.png', 'd é.png', 'a.png']);
      await expect(pack.read(4)).rejects.toMatchObject({ code: 'LPCV_E_INTERNAL' });
      await expect(pack.read(-1)).rejects.toMatchObject({ code: 'LPCV_E_INTERNAL' });
    } finally {
      await pack.close();
    }
    await pack.close();
    await expect(pack.read(0)).rejects.toMatchObject({ code: 'LPCV_E_INTERNAL', message: expect.stringMatching(/after close/) });
  });
});
