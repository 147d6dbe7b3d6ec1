import type { TrackFile } from './track-schema.js';

/** A loaded, validated track: the file's content plus where it came from. Frozen. */
export interface Track extends TrackFile {
  /** Absolute path of the track file. */
  readonly file: string;
  /** Absolute folder that relative data set paths resolve against. */
  readonly dir: string;
}
