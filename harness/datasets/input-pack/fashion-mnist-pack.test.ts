import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveTrack } from '../../tracks/load-track.js';
import { loadLabels, openInputs } from '../open-split.js';
import type { InputSet } from '../types.js';
import { INPUT_PACK_PREAMBLE_BYTES } from './input-pack-format.js';
import { openInputPack } from './read-input-pack.js';
import { type WrittenInputPack, writeInputPack } from './write-input-pack.js';

/** The real sample data: the fashion-mnist track's val split (2,000 gray 28x28 images). */
const track = resolveTrack('fashion-mnist');
let dir: string;
let inputs: InputSet;
let written: WrittenInputPack;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'lpcv-pack-fm-'));
  inputs = await openInputs(track, 'val');
  written = await writeInputPack(inputs, { track: track.name, split: 'val' }, join(dir, 'val.lpcvpack'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('an input pack of fashion-mnist val', () => {
  it('gives back every image identical', async () => {
    expect(written.count).toBe(2000);
    const pack = await openInputPack(join(dir, 'val.lpcvpack'), { expectSha256: written.sha256 });
    try {
      expect([pack.track, pack.split]).toEqual(['fashion-mnist', 'val']);
      expect(pack.ids).toEqual(inputs.ids);
      for (let i = 0; i < inputs.ids.length; i++) {
        const [got, want] = [await pack.read(i), await inputs.read(i)];
        expect({ ...got, data: null }).toEqual({ ...want, data: null });
        // Buffer.equals instead of a deep equal: 2,000 element-wise diffs of 784 bytes take seconds.
        expect(Buffer.from(got.data).equals(want.data), `pixels of ${want.id}`).toBe(true);
      }
    } finally {
      await pack.close();
    }
  });

  it('has a stable sha256', async () => {
    const again = await writeInputPack(await openInputs(track, 'val'), { track: track.name, split: 'val' }, join(dir, 'again.lpcvpack'));
    expect(again).toEqual(written);
  });

  it('holds no label: a header without label keys, then exactly the pixels', async () => {
    const file = readFileSync(join(dir, 'val.lpcvpack'));
    const headerBytes = file.readUInt32LE(12);
    const headerText = file.subarray(INPUT_PACK_PREAMBLE_BYTES, INPUT_PACK_PREAMBLE_BYTES + headerBytes).toString('utf8');
    const header = JSON.parse(headerText) as { images: Record<string, unknown>[] } & Record<string, unknown>;
    expect(Object.keys(header)).toEqual(['track', 'split', 'count', 'layout', 'dtype', 'images']);
    for (const img of header.images) expect(Object.keys(img)).toEqual(['id', 'width', 'height', 'channels', 'offset', 'length']);
    expect(headerText).not.toMatch(/label|class/i);
    // The class names do not appear either (a label smuggled as a name).
    for (const name of track.classes) expect(headerText).not.toContain(name);

    expect(file.length).toBe(INPUT_PACK_PREAMBLE_BYTES + headerBytes + 2000 * 28 * 28);
    // The labels exist (the server has them); the pack is the same whatever they are.
    const labels = await loadLabels(track, 'val');
    expect(labels.ids).toEqual(inputs.ids);
  });
});
