/**
 * The `track_formulas` rows (migration 0007): a track's effective score formula as a re-score set it
 * (docs/rescoring.md). While a row exists it overrides the track file's `score` everywhere the server
 * scores or shows a score: the leaderboard, and every result completed from then on. Without a row the
 * track file's `score` is the effective formula. A re-score back to the track file's formula removes the
 * row, so an unchanged file and the database never disagree silently.
 */
import type { Track } from '../../harness/tracks/track.js';
import { getFormula } from '../../scoring/formulas/registry.js';
import type { ParamValue } from '../../scoring/formulas/types.js';
import type { Db } from '../db/index.js';

export interface TrackFormula {
  readonly formula: string;
  readonly version: number;
  readonly params: Readonly<Record<string, ParamValue>>;
}

export interface EffectiveFormula extends TrackFormula {
  /** Where it comes from: the track file, or a re-score's override. */
  readonly source: 'track-file' | 'rescore';
  /** The override's time (epoch ms) and author, null for the track file. */
  readonly setAt: number | null;
  readonly setBy: string | null;
}

interface Row {
  track: string;
  formula: string;
  version: number;
  params_json: string;
  set_at: number;
  set_by: string;
}

/** The track file's formula, its version made concrete (the latest registered when the file names none). */
export function trackFileFormula(track: Track): TrackFormula {
  const version = track.score.version ?? getFormula(track.score.formula).version;
  return { formula: track.score.formula, version, params: track.score.params };
}

export async function effectiveFormula(db: Db, track: Track): Promise<EffectiveFormula> {
  const row = (await db('track_formulas').where('track', track.name).first()) as Row | undefined;
  if (row === undefined) return { ...trackFileFormula(track), source: 'track-file', setAt: null, setBy: null };
  return {
    formula: row.formula,
    version: Number(row.version),
    params: JSON.parse(row.params_json) as Record<string, ParamValue>,
    source: 'rescore',
    setAt: Number(row.set_at),
    setBy: row.set_by,
  };
}

/** The track as the server scores it now: its `score` replaced by the effective formula. */
export async function trackWithEffectiveFormula(db: Db, track: Track): Promise<Track> {
  const f = await effectiveFormula(db, track);
  if (f.source === 'track-file') return track;
  return { ...track, score: { formula: f.formula, version: f.version, params: { ...f.params } } };
}

export function sameFormula(a: TrackFormula, b: TrackFormula): boolean {
  const keys = (p: Readonly<Record<string, ParamValue>>): string =>
    JSON.stringify(
      Object.keys(p)
        .sort()
        .map((k) => [k, p[k]]),
    );
  return a.formula === b.formula && a.version === b.version && keys(a.params) === keys(b.params);
}

/**
 * Makes `formula` the track's effective formula (call it in the re-score's transaction). Equal to the track
 * file's formula: the override row is removed instead.
 */
export async function setTrackFormula(db: Db, track: Track, formula: TrackFormula, by: string, now: number): Promise<void> {
  await db('track_formulas').where('track', track.name).delete();
  if (sameFormula(formula, trackFileFormula(track))) return;
  await db('track_formulas').insert({
    track: track.name,
    formula: formula.formula,
    version: formula.version,
    params_json: JSON.stringify(formula.params),
    set_at: now,
    set_by: by,
  });
}

/** `name@version`. */
export const formulaLabel = (f: { readonly formula: string; readonly version: number }): string => `${f.formula}@${f.version}`;
