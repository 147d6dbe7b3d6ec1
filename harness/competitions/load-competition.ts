import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { parseDocument } from 'yaml';
import { LpcvError } from '../../errors/lpcv-error.js';
import { issueKey } from '../schema-issues.js';
import { loadTrackFile, resolveTrack } from '../tracks/load-track.js';
import { publicLeaderboardSplit } from '../tracks/split-policy.js';
import type { Track } from '../tracks/track.js';
import type { Competition } from './competition.js';
import { competitionProblems, toCompetition, type CompetitionProblem } from './competition-problems.js';
import { competitionSchema } from './competition-schema.js';

/** A bundle, validated, with its tracks loaded. */
export interface LoadedCompetition {
  readonly file: string;
  readonly competition: Competition;
  /** The bundle's tracks, in its order (competition.tracks holds their names). */
  readonly tracks: readonly Track[];
}

/** A bundle is small; anything bigger is not one. */
const MAX_BUNDLE_BYTES = 1024 * 1024;

function configError(file: string, problems: readonly CompetitionProblem[]): LpcvError {
  const shown = problems.slice(0, 10).map((p) => `${file}: ${p.key}: ${p.message}`);
  const more = problems.length > 10 ? ` (and ${problems.length - 10} more)` : '';
  return new LpcvError('LPCV_E_COMPETITION_CONFIG', shown.join('; ') + more, { file, issues: problems.map((p) => ({ ...p })) });
}

/**
 * A bundle's track entry: a track file or folder (relative to the bundle's folder) when one exists there or
 * the entry looks like a path, else a built-in track's name.
 */
function loadBundleTrack(entry: string, dir: string): Track {
  const local = path.resolve(dir, entry);
  if (entry.includes('/') || entry.endsWith('.json') || existsSync(local)) {
    const file = existsSync(local) && statSync(local).isDirectory() ? path.join(local, 'track.json') : local;
    return loadTrackFile(file);
  }
  return resolveTrack(entry);
}

/**
 * Reads and validates a competition bundle (YAML): LPCV_E_COMPETITION_CONFIG naming the file, the key and
 * what was expected for every problem found (docs/running-a-competition.md).
 */
export function loadCompetitionFile(file: string): LoadedCompetition {
  const abs = path.resolve(file);
  if (!existsSync(abs) || !statSync(abs).isFile()) throw configError(file, [{ key: '(file)', message: 'no such file' }]);
  if (statSync(abs).size > MAX_BUNDLE_BYTES)
    throw configError(file, [{ key: '(file)', message: `larger than ${MAX_BUNDLE_BYTES} bytes: not a competition bundle` }]);
  const doc = parseDocument(readFileSync(abs, 'utf8'), { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw configError(
      file,
      doc.errors.map((e) => ({ key: `line ${e.linePos?.[0]?.line ?? '?'}`, message: `not valid YAML: ${e.message.split('\n')[0]!}` })),
    );
  }
  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: 50 });
  } catch (e) {
    throw configError(file, [{ key: '(top level)', message: `not valid YAML: ${(e as Error).message}` }]);
  }
  const parsed = competitionSchema.safeParse(raw);
  if (!parsed.success)
    throw configError(
      file,
      parsed.error.issues.map((i) => ({ key: issueKey(i.path), message: i.message })),
    );

  const dir = path.dirname(abs);
  const tracks: Track[] = [];
  const trackProblems: CompetitionProblem[] = [];
  parsed.data.tracks.forEach((entry, i) => {
    try {
      tracks.push(loadBundleTrack(entry, dir));
    } catch (e) {
      if (!(e instanceof LpcvError)) throw e;
      trackProblems.push({ key: `tracks.${i}`, message: `track ${JSON.stringify(entry)}: ${e.message}` });
    }
  });
  if (trackProblems.length > 0) throw configError(file, trackProblems);
  const problems = competitionProblems(
    parsed.data,
    tracks.map((t) => ({ name: t.name, publicSplit: publicLeaderboardSplit(t) })),
  );
  if (problems.length > 0) throw configError(file, problems);
  return {
    file: abs,
    competition: toCompetition(
      parsed.data,
      tracks.map((t) => t.name),
    ),
    tracks,
  };
}
