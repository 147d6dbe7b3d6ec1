import path from 'node:path';
import { LpcvError } from '../../errors/lpcv-error.js';
import { describeSchemaIssues } from '../../harness/tracks/load-track.js';
import { trackSchema, type DatasetSpec } from '../../harness/tracks/track-schema.js';
import type { Track } from '../../harness/tracks/track.js';

/**
 * Stands in for the data set an agent never sees (the lease's track has none: labels live there). Nothing
 * on the measuring side reads it: validateModel and measureOnnx take the inputs from the input pack.
 */
const NO_DATASET: DatasetSpec = { format: 'image-folder', images: 'not-on-agents', labels: 'not-on-agents' };

/**
 * A Track for validateModel and measureOnnx from the lease's track (the track file without `dataset`,
 * `file` and `dir`), checked against the same schema as a track file. `file` and `dir` point into the
 * agent's cache (`<cacheDir>/tracks/<name>/`), where nothing is read.
 */
export function trackFromLease(leased: unknown, cacheDir: string): Track {
  if (typeof leased !== 'object' || leased === null || Array.isArray(leased)) {
    throw new LpcvError('LPCV_E_TRACK_INVALID', 'the lease carries no track object');
  }
  const parsed = trackSchema.safeParse({ ...leased, dataset: NO_DATASET });
  if (!parsed.success) throw new LpcvError('LPCV_E_TRACK_INVALID', describeSchemaIssues('the leased track', parsed.error.issues));
  const dir = path.join(path.resolve(cacheDir), 'tracks', parsed.data.name);
  return { ...parsed.data, file: path.join(dir, 'track.json'), dir };
}
