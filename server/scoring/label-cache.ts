import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { loadLabels } from '../../harness/datasets/open-split.js';
import type { LabelSet } from '../../harness/datasets/types.js';
import type { Track } from '../../harness/tracks/track.js';

/**
 * The hidden labels of a track's split, loaded once per server process instead of at every completion
 * (docs/benchmarks.md, "Read path": loadLabels was ~10% of the server's CPU per job, most of it rebuilding
 * the ids of the whole data set to keep a split's few).
 *
 * An entry is keyed by the track file and the split, and is used only while
 *  - the caller's track is the very object it was loaded for (a reloaded track file is a new object), and
 *  - the data set's files (images, labels, annotations, masks: whichever the format names) have the size
 *    and mtime they had, so a label file replaced under a running server is read again, as the IDX reader's
 *    own cache does. A stat is ~20 µs against ~2 ms for a load.
 * A file that cannot be stat'ed bypasses the cache: loadLabels then reports it with its own coded error.
 * A failed load is not kept (the next completion tries again). Concurrent completions share one load.
 * Bounded by count (least recently used out first): a server scores a handful of splits.
 *
 * The cached LabelSet is shared by every completion, so its data (ids, labels, COCO ground truth) is frozen:
 * a scorer that tried to change it would throw instead of corrupting the next completion's labels.
 * Labels do not depend on the score formula: pass the track as looked up (lookUpTrack), not a re-score's copy.
 */
export class LabelCache {
  private readonly entries = new Map<string, { track: Track; stamp: string; labels: Promise<LabelSet> }>();

  constructor(private readonly capacity = 16) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`LabelCache capacity must be a positive integer, not ${capacity}`);
  }

  /** How many splits are held (for tests). */
  get size(): number {
    return this.entries.size;
  }

  async load(track: Track, split: string): Promise<LabelSet> {
    const stamp = await filesStamp(track);
    if (stamp === null) return loadLabels(track, split);
    const key = `${track.file}\0${split}`;
    const hit = this.entries.get(key);
    if (hit !== undefined && hit.track === track && hit.stamp === stamp) {
      // Most recently used last.
      this.entries.delete(key);
      this.entries.set(key, hit);
      return hit.labels;
    }
    const labels = loadLabels(track, split).then(freezeLabels);
    this.entries.delete(key);
    this.entries.set(key, { track, stamp, labels });
    labels.catch(() => {
      if (this.entries.get(key)?.labels === labels) this.entries.delete(key);
    });
    while (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value!);
    return labels;
  }
}

/** Size and mtime of each data set path the track names, or null when one cannot be stat'ed. */
async function filesStamp(track: Track): Promise<string | null> {
  const ds = track.dataset as unknown as Readonly<Record<string, unknown>>;
  const paths = ['images', 'labels', 'annotations', 'masks'].flatMap((k) => (typeof ds[k] === 'string' ? [resolve(track.dir, ds[k])] : []));
  try {
    const stats = await Promise.all(paths.map((p) => stat(p)));
    return stats.map((s, i) => `${paths[i]}:${s.size}:${s.mtimeMs}`).join('\n');
  } catch {
    return null;
  }
}

function freezeLabels(labels: LabelSet): LabelSet {
  deepFreeze(labels.ids);
  if (labels.task === 'classification') deepFreeze(labels.labels);
  if (labels.task === 'detection') deepFreeze(labels.groundTruth);
  return Object.freeze(labels);
}

function deepFreeze(value: unknown): void {
  if (value === null || typeof value !== 'object' || Object.isFrozen(value) || ArrayBuffer.isView(value)) return;
  Object.freeze(value);
  for (const v of Object.values(value)) deepFreeze(v);
}
