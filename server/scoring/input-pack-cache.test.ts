import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openInputPack } from '../../harness/datasets/input-pack/read-input-pack.js';
import { resolveTrack } from '../../harness/tracks/load-track.js';
import { InputPackCache } from './input-pack-cache.js';

describe('InputPackCache', () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'lpcv-pack-cache-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));
  const track = resolveTrack('fashion-mnist');

  it('builds a split once for concurrent callers, and reuses the file in a new process', async () => {
    const cache = new InputPackCache(dataDir);
    const [a, b] = await Promise.all([cache.get(track, 'val'), cache.get(track, 'val')]);
    expect(a).toBe(b);
    expect(a.file).toBe(path.join(dataDir, 'inputs', 'fashion-mnist-val.lpcvpack'));
    expect(a.count).toBe(2000);
    expect(readdirSync(path.join(dataDir, 'inputs'))).toEqual(['fashion-mnist-val.lpcvpack']);
    const pack = await openInputPack(a.file, { expectSha256: a.sha256 });
    expect(pack.ids.length).toBe(2000);
    await pack.close();

    const again = await new InputPackCache(dataDir).get(track, 'val');
    expect(again).toEqual(a);
  });

  it('refuses an unknown split without touching the disk', async () => {
    await expect(new InputPackCache(dataDir).get(track, '../x')).rejects.toThrow(/no split/);
  });
});
