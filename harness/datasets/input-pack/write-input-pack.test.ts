import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { InputSet } from '../types.js';
import { INPUT_PACK_MAGIC, INPUT_PACK_PREAMBLE_BYTES, INPUT_PACK_VERSION } from './input-pack-format.js';
import { openInputPack } from './read-input-pack.js';
import { MIXED_SPECS, syntheticInputs } from './testing/synthetic-inputs.js';
import { writeInputPack } from './write-input-pack.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'lpcv-pack-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** Every key anywhere in a JSON value. */
function keysOf(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(keysOf);
  if (typeof value === 'object' && value !== null) return Object.entries(value).flatMap(([k, v]) => [k, ...keysOf(v)]);
  return [];
}

function headerOf(file: string): { json: unknown; headerBytes: number } {
  const bytes = readFileSync(file);
  const headerBytes = bytes.readUInt32LE(12);
  return { json: JSON.parse(bytes.subarray(INPUT_PACK_PREAMBLE_BYTES, INPUT_PACK_PREAMBLE_BYTES + headerBytes).toString('utf8')), headerBytes };
}

describe('writeInputPack', () => {
  it('round-trips gray and RGB images of different sizes, byte for byte', async () => {
    const inputs = syntheticInputs(MIXED_SPECS);
    const out = join(dir, 'val.lpcvpack');
    const written = await writeInputPack(inputs, { track: 'toy', split: 'val' }, out);
    expect(written.count).toBe(4);
    expect(written.bytes).toBe(readFileSync(out).length);

    const pack = await openInputPack(out, { expectSha256: written.sha256 });
    try {
      expect([pack.track, pack.split, pack.bytes]).toEqual(['toy', 'val', written.bytes]);
      expect(pack.ids).toEqual(MIXED_SPECS.map((s) => s.id));
      for (const i of [3, 0, 2, 1]) expect(await pack.read(i)).toEqual(inputs.image(i));
    } finally {
      await pack.close();
    }
  });

  it('gives the same bytes and sha256 for the same inputs, and the sha256 is the file hash', async () => {
    const a = await writeInputPack(syntheticInputs(MIXED_SPECS), { track: 'toy', split: 'val' }, join(dir, 'a'));
    const b = await writeInputPack(syntheticInputs(MIXED_SPECS), { track: 'toy', split: 'val' }, join(dir, 'b'));
    expect(b).toEqual(a);
    expect(readFileSync(join(dir, 'b')).equals(readFileSync(join(dir, 'a')))).toBe(true);
    expect(
      createHash('sha256')
        .update(readFileSync(join(dir, 'a')))
        .digest('hex'),
    ).toBe(a.sha256);

    const other = await writeInputPack(syntheticInputs(MIXED_SPECS), { track: 'toy', split: 'test' }, join(dir, 'c'));
    expect(other.sha256).not.toBe(a.sha256);
  });

  it('holds the preamble, a label-free header and the pixels, and nothing else', async () => {
    const inputs = syntheticInputs(MIXED_SPECS);
    const out = join(dir, 'p');
    const { bytes } = await writeInputPack(inputs, { track: 'toy', split: 'val' }, out);
    const file = readFileSync(out);
    expect(file.subarray(0, 8).equals(INPUT_PACK_MAGIC)).toBe(true);
    expect(file.readUInt32LE(8)).toBe(INPUT_PACK_VERSION);

    const { json, headerBytes } = headerOf(out);
    expect(keysOf(json).filter((k) => /label|class|target|annotation|mask/i.test(k))).toEqual([]);
    expect(json).toEqual({
      track: 'toy',
      split: 'val',
      count: 4,
      layout: 'HWC',
      dtype: 'uint8',
      images: [
        { id: 'a.png', width: 4, height: 3, channels: 1, offset: 0, length: 12 },
        { id: 'b.jpg', width: 5, height: 2, channels: 3, offset: 12, length: 30 },
        { id: 'c.png', width: 1, height: 1, channels: 1, offset: 42, length: 1 },
        { id: 'd é.png', width: 7, height: 6, channels: 3, offset: 43, length: 126 },
      ],
    });
    const pixels = Buffer.concat(MIXED_SPECS.map((_, i) => inputs.image(i).data));
    expect(bytes).toBe(INPUT_PACK_PREAMBLE_BYTES + headerBytes + pixels.length);
    expect(file.subarray(INPUT_PACK_PREAMBLE_BYTES + headerBytes).equals(pixels)).toBe(true);
  });

  it('reads the inputs one at a time, in order', async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    const base = syntheticInputs(MIXED_SPECS);
    const inputs: InputSet = {
      ids: base.ids,
      async read(i) {
        maxInFlight = Math.max(maxInFlight, ++inFlight);
        await new Promise((r) => setTimeout(r, 2));
        inFlight--;
        return base.read(i);
      },
    };
    await writeInputPack(inputs, { track: 'toy', split: 'val' }, join(dir, 'p'));
    expect(base.reads).toEqual([0, 1, 2, 3]);
    expect(maxInFlight).toBe(1);
  });

  it('writes an empty split as a valid pack', async () => {
    const out = join(dir, 'empty');
    const written = await writeInputPack(syntheticInputs([]), { track: 'toy', split: 'none' }, out);
    expect(written.count).toBe(0);
    const pack = await openInputPack(out, { expectSha256: written.sha256 });
    expect(pack.ids).toEqual([]);
    await pack.close();
  });

  it('leaves no temp file and an existing pack untouched when a read fails', async () => {
    const out = join(dir, 'p');
    writeFileSync(out, 'old pack');
    const base = syntheticInputs(MIXED_SPECS);
    const failing: InputSet = {
      ids: base.ids,
      async read(i) {
        if (i === 2) throw new Error('disk on fire');
        return base.read(i);
      },
    };
    await expect(writeInputPack(failing, { track: 'toy', split: 'val' }, out)).rejects.toThrow('disk on fire');
    expect(readdirSync(dir)).toEqual(['p']);
    expect(readFileSync(out, 'utf8')).toBe('old pack');
  });

  it('refuses an image that breaks the InputSet contract (LPCV_E_INTERNAL), leaving no file', async () => {
    const base = syntheticInputs(MIXED_SPECS);
    const cases: InputSet[] = [
      { ids: base.ids, read: async (i) => ({ ...base.image(i), id: 'other' }) },
      { ids: base.ids, read: async (i) => ({ ...base.image(i), data: new Uint8Array(3) }) },
    ];
    for (const inputs of cases) {
      await expect(writeInputPack(inputs, { track: 'toy', split: 'val' }, join(dir, 'p'))).rejects.toMatchObject({ code: 'LPCV_E_INTERNAL' });
    }
    expect(readdirSync(dir)).toEqual([]);
  });
});
