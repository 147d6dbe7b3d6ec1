/**
 * Which split a submission is scored on: the one owner of that policy (the server's queue, leaderboard,
 * re-scoring and baselines, and the track schema's own check, all ask here). Typed by the fields it reads, so
 * that the track schema can use it on a file being checked.
 */
export interface SplitLayout {
  readonly splits: Readonly<Record<string, { readonly visibility: 'public' | 'hidden' }>>;
  readonly defaultSplit?: string | undefined;
  readonly leaderboard?: { readonly publicSplit?: string | undefined; readonly privateSplit?: string | undefined } | undefined;
}

/**
 * The split a submission is scored on for the final (private) leaderboard: the track's
 * `leaderboard.privateSplit`, else its first hidden split (other than its public leaderboard split), else its
 * default split. Teams do not choose.
 */
export function submissionSplit(track: SplitLayout): string {
  if (track.leaderboard?.privateSplit !== undefined) return track.leaderboard.privateSplit;
  const names = Object.keys(track.splits);
  const publicSplit = track.leaderboard?.publicSplit;
  return names.find((n) => track.splits[n]?.visibility === 'hidden' && n !== publicSplit) ?? track.defaultSplit ?? names[0]!;
}

/**
 * The split of the track's public leaderboard (`leaderboard.publicSplit`), on which every submission also
 * runs; null when the track has none (then only submissionSplit runs).
 */
export function publicLeaderboardSplit(track: SplitLayout): string | null {
  return track.leaderboard?.publicSplit ?? null;
}
