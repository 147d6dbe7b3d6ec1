import { mkdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { openInputs, splitRange } from '../../harness/datasets/open-split.js';
import { writeInputPack } from '../../harness/datasets/input-pack/write-input-pack.js';
import { adversarialInputs, robustnessSplitsOf, type RobustnessSplit } from '../../harness/datasets/corruptions/robustness-splits.js';
import type { InputSet } from '../../harness/datasets/types.js';
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

  /**
   * The pack of a split of the track, or of one of its adversarial sets (`test~<set>`, docs/robustness.md):
   * those are data on the server that agents cannot make themselves (corrupted splits they can, from the
   * clean pack). Anything else is LPCV_E_SPLIT_UNKNOWN, before a path is made from it.
   */
  async get(track: Track, split: string): Promise<CachedInputPack> {
    const adversarial = adversarialSplit(track, split);
    const count = adversarial === undefined ? splitRange(track, split).count : splitRange(track, adversarial.of).count;
    const key = `${track.name}-${split}`;
    let pack = this.packs.get(key);
    if (pack === undefined) {
      const open = (): Promise<InputSet> =>
        adversarial === undefined ? openInputs(track, split) : openInputs(track, adversarial.of).then((clean) => adversarialInputs(adversarial, clean));
      pack = this.build(track, split, count, path.join(this.dir, `${key}.lpcvpack`), open);
      this.packs.set(key, pack);
      pack.catch(() => this.packs.delete(key));
    }
    return pack;
  }

  private async build(track: Track, split: string, count: number, file: string, open: () => Promise<InputSet>): Promise<CachedInputPack> {
    const existing = await stat(file).catch(() => undefined);
    if (existing?.isFile()) {
      const sha256 = await fileSha256(file);
      return { file, sha256, bytes: existing.size, count };
    }
    await mkdir(this.dir, { recursive: true });
    const written = await writeInputPack(await open(), { track: track.name, split }, file);
    return { file, ...written };
  }
}

/** The adversarial sets declared for `split` (the lease names them), as the agent downloads them. */
export function adversarialSplitsOf(track: Track, split: string): Extract<RobustnessSplit, { kind: 'adversarial' }>[] {
  return robustnessSplitsOf(track, split).filter((s): s is Extract<RobustnessSplit, { kind: 'adversarial' }> => s.kind === 'adversarial');
}

function adversarialSplit(track: Track, name: string): Extract<RobustnessSplit, { kind: 'adversarial' }> | undefined {
  for (const clean of Object.keys(track.splits)) {
    const found = adversarialSplitsOf(track, clean).find((s) => s.name === name);
    if (found) return found;
  }
  return undefined;
}
