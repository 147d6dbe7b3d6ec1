import { LpcvError } from '../../errors/lpcv-error.js';
import type { Track } from '../../harness/tracks/track.js';

/**
 * The tracks the server accepts submissions for: a map by name, or a function (which returns undefined or
 * throws LPCV_E_TRACK_UNKNOWN for a name it does not know). A client's track name is only ever looked up
 * here, never used as a path: do not pass `resolveTrack` itself, which also opens files.
 */
export type TrackLookup = ReadonlyMap<string, Track> | ((name: string) => Track | undefined);

export function lookUpTrack(tracks: TrackLookup, name: string): Track {
  const track = typeof tracks === 'function' ? tracks(name) : tracks.get(name);
  if (track === undefined) {
    const known = typeof tracks === 'function' ? '' : ` (tracks: ${[...tracks.keys()].join(', ') || 'none'})`;
    throw new LpcvError('LPCV_E_TRACK_UNKNOWN', `unknown track ${JSON.stringify(name)}${known}`);
  }
  return track;
}
