import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { z } from 'zod';
import { LpcvError } from '../../errors/lpcv-error.js';
import { checkScoreSpec } from '../../scoring/formulas/registry.js';
import { trackSchema, type TrackFile } from './track-schema.js';
import type { Track } from './track.js';
import { describeIssues } from '../schema-issues.js';

/** The tracks shipped with the harness: tracks/<name>/track.json at the repository root (one level further up from dist/). */
export const BUILTIN_TRACKS_DIR = fileURLToPath(new URL(import.meta.url.endsWith('.js') ? '../../../tracks/' : '../../tracks/', import.meta.url));

/** Every schema problem: `file: key.path: what was expected`. */
export function describeSchemaIssues(file: string, issues: readonly z.core.$ZodIssue[]): string {
  return describeIssues(issues, { file, max: Number.POSITIVE_INFINITY });
}

/** Parse and validate a track file; the result is frozen. */
export function loadTrackFile(file: string): Track {
  const abs = path.resolve(file);
  if (!existsSync(abs)) throw new LpcvError('LPCV_E_TRACK_UNKNOWN', `track file not found: ${file}`);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(abs, 'utf8'));
  } catch (e) {
    throw new LpcvError('LPCV_E_TRACK_INVALID', `${file}: not valid JSON (${(e as Error).message})`);
  }
  const parsed = trackSchema.safeParse(raw);
  if (!parsed.success) {
    throw new LpcvError('LPCV_E_TRACK_INVALID', describeSchemaIssues(file, parsed.error.issues), {
      file,
      issues: parsed.error.issues.map((i) => ({ key: i.path.map(String).join('.'), message: i.message })),
    });
  }
  // The formula, its version and its parameters (an expression that does not parse) fail here, at start-up,
  // not at the first score.
  const score = checkScoreSpec(parsed.data.score);
  if (score !== null) {
    throw new LpcvError('LPCV_E_TRACK_INVALID', `${file}: ${score.key}: ${score.message}`, {
      file,
      issues: [{ key: score.key, message: score.message, code: score.code }],
    });
  }
  const reference = referenceProblem(parsed.data, path.dirname(abs));
  if (reference !== null) {
    throw new LpcvError('LPCV_E_TRACK_INVALID', `${file}: protocol.reference: ${reference}`, { file, issues: [{ key: 'protocol.reference', message: reference }] });
  }
  return deepFreeze({ ...parsed.data, file: abs, dir: path.dirname(abs) });
}

/** Why the track's reference model cannot be used (not one of its baselines, or its file missing), or null. */
function referenceProblem(t: TrackFile, dir: string): string | null {
  const name = t.protocol.reference;
  if (name === undefined) return null;
  const baseline = (t.baselines ?? []).find((b) => b.name === name);
  if (baseline === undefined) {
    const names = (t.baselines ?? []).map((b) => b.name);
    return `${JSON.stringify(name)} names no baseline of this track (${names.length > 0 ? `it has ${names.join(', ')}` : 'it lists none'})`;
  }
  const model = path.resolve(dir, baseline.file);
  if (!existsSync(model) || !statSync(model).isFile()) return `the reference ${JSON.stringify(name)} is baselines' file ${baseline.file}, which does not exist (${model})`;
  return null;
}

/** Names of the built-in tracks (folders of tracks/ that hold a track.json), sorted. */
export function listBuiltinTracks(dir = BUILTIN_TRACKS_DIR): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => existsSync(path.join(dir, name, 'track.json')))
    .sort();
}

/**
 * Resolve `--track`: a path to a track file (or a folder holding track.json) when one exists there,
 * otherwise the name of a built-in track.
 */
export function resolveTrack(nameOrFile: string, dir = BUILTIN_TRACKS_DIR): Track {
  const looksLikePath = nameOrFile.includes('/') || nameOrFile.endsWith('.json');
  if (looksLikePath || existsSync(nameOrFile)) {
    if (existsSync(nameOrFile) && statSync(nameOrFile).isDirectory()) {
      return loadTrackFile(path.join(nameOrFile, 'track.json'));
    }
    if (existsSync(nameOrFile) || looksLikePath) return loadTrackFile(nameOrFile);
  }
  const file = path.join(dir, nameOrFile, 'track.json');
  if (!/^[a-z0-9][a-z0-9-]*$/.test(nameOrFile) || !existsSync(file)) {
    const known = listBuiltinTracks(dir);
    throw new LpcvError(
      'LPCV_E_TRACK_UNKNOWN',
      `unknown track "${nameOrFile}" (known: ${known.join(', ') || 'none'}; or give a path to a track.json)`,
    );
  }
  return loadTrackFile(file);
}

/** The split to use: the named one, else the track's default, else the first public one. */
export function resolveSplit(track: Track, split: string | undefined): string {
  const names = Object.keys(track.splits);
  const chosen = split ?? track.defaultSplit ?? names.find((n) => track.splits[n]?.visibility === 'public') ?? names[0]!;
  if (!Object.hasOwn(track.splits, chosen)) {
    throw new LpcvError('LPCV_E_SPLIT_UNKNOWN', `track ${track.name} has no split "${chosen}" (splits: ${names.join(', ')})`);
  }
  return chosen;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value as Record<string, unknown>)) deepFreeze(v);
  }
  return value;
}
