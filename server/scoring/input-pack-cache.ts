import { mkdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { openInputs, splitRange } from '../../harness/datasets/open-split.js';
import { writeInputPack } from '../../harness/datasets/input-pack/write-input-pack.js';
import type { Track } from '../../harness/tracks/track.js';
import { fileSha256 } from '../../submissions/store/artifact-hash.js';

/** A built input pack on the server's disk. */
export interface CachedInputPack {
  readonly file: string;
  /** Lowercase hex sha256 of the whole file. */
  readonly sha256: string;
  readonly bytes: number;
  readonly count: number;
}

/**
 * The input packs agents download (`<dataDir>/inputs/<track>-<split>.lpcvpack`): inputs only, never
 * labels (writeInputPack takes no labels). Built lazily on first use, one build at a time per track and
 * split: concurrent callers share the same promise. A pack found on disk from an earlier run is hashed
 * once and reused. A failed build is forgotten, so the next request tries again.
 *
 * The key is made from a track that the caller looked up by name (lookUpTrack) and a split checked
 * against that track (splitRange): a client's text never becomes a path by itself.
 */
export class InputPackCache {
  readonly dir: string;
  private readonly packs = new Map<string, Promise<CachedInputPack>>();

  constructor(dataDir: string) {
    this.dir = path.join(path.resolve(dataDir), 'inputs');
  }

  get(track: Track, split: string): Promise<CachedInputPack> {
    const range = splitRange(track, split);
    const key = `${track.name}-${split}`;
    let pack = this.packs.get(key);
    if (pack === undefined) {
      pack = this.build(track, split, range.count, path.join(this.dir, `${key}.lpcvpack`));
      this.packs.set(key, pack);
      pack.catch(() => this.packs.delete(key));
    }
    return pack;
  }

  private async build(track: Track, split: string, count: number, file: string): Promise<CachedInputPack> {
    const existing = await stat(file).catch(() => undefined);
    if (existing?.isFile()) {
      const sha256 = await fileSha256(file);
      return { file, sha256, bytes: existing.size, count };
    }
    await mkdir(this.dir, { recursive: true });
    const written = await writeInputPack(await openInputs(track, split), { track: track.name, split }, file);
    return { file, ...written };
  }
}
