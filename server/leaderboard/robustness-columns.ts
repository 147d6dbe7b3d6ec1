/**
 * Robust accuracy beside clean on the leaderboard (docs/robustness.md, docs/leaderboard.md): the board's columns for
 * a split's robustness splits, and an entry's values in them, in the board's accuracy metric.
 */
import { robustnessSplitsOf } from '../../harness/datasets/corruptions/robustness-splits.js';
import type { ResultRecord } from '../../harness/result-record.js';
import type { Track } from '../../harness/tracks/track.js';

/** The board's robustness columns for a split: `robust` when corruptions are declared, then each adversarial split. */
export function robustnessColumns(track: Track, split: string): string[] {
  const splits = robustnessSplitsOf(track, split);
  return [...(splits.some((s) => s.kind === 'corruption') ? [ROBUST_COLUMN] : []), ...splits.filter((s) => s.kind === 'adversarial').map((s) => s.name)];
}

/** The column holding the mean over the corrupted splits. */
export const ROBUST_COLUMN = 'robust';

export function robustnessValues(r: ResultRecord, columns: readonly string[], metric: string): Record<string, number | null> {
  const rob = r.robustness;
  if (rob === undefined) return Object.fromEntries(columns.map((c) => [c, null]));
  // The record's robustAccuracy averages the track's first metric over every declared corrupted split (null when one
  // was not measured); the board's metric may be another, so the mean is taken again over the same splits.
  const corrupted = Object.values(rob.splits).map((m) => m[metric]);
  const complete = rob.robustAccuracy !== null && corrupted.length > 0 && corrupted.every((v) => v !== undefined);
  const robust = complete ? (corrupted as number[]).reduce((a, b) => a + b, 0) / corrupted.length : null;
  return Object.fromEntries(columns.map((c) => [c, c === ROBUST_COLUMN ? robust : (rob.adversarial[c]?.[metric] ?? null)]));
}
