import { LpcvError } from '../../errors/lpcv-error.js';
import type { Track } from '../../harness/tracks/track.js';
import { lookUpTrack, type TrackLookup } from '../tracks/track-lookup.js';

/** What a track lets participants see (track.json `participants`, docs/running-a-competition.md). */
export interface ParticipantSettings {
  /** The stdout/stderr tails of their runs; admins see them either way. */
  readonly logs: boolean;
  /** The track's failed submissions (team, time, code, fault) listed to everyone. */
  readonly publicFailures: boolean;
}

/**
 * The track's settings with the schema's defaults (logs shown, failures private). A track the server no
 * longer serves shows nothing more than it must: its organizers' choice is unknown.
 */
export function participantSettings(track: Track | undefined): ParticipantSettings {
  if (track === undefined) return { logs: false, publicFailures: false };
  return { logs: track.participants?.logs ?? true, publicFailures: track.participants?.publicFailures ?? false };
}

/** The served track of that name, or undefined when the server no longer serves it (an old submission's). */
export function servedTrack(tracks: TrackLookup | undefined, name: string): Track | undefined {
  if (tracks === undefined) return undefined;
  try {
    return lookUpTrack(tracks, name);
  } catch (e) {
    if (e instanceof LpcvError && e.code === 'LPCV_E_TRACK_UNKNOWN') return undefined;
    throw e;
  }
}
