/**
 * Leaderboard ranking: which entry of each team counts, in what order entries stand, and which lie on the
 * accuracy-latency Pareto front. Pure functions: entries in, entries out.
 *
 * The rule (docs/leaderboard.md):
 * - Each team's best entry counts (a baseline counts per baseline name: its latest entry, since the
 *   organizers replace a baseline by re-submitting it).
 * - Order: qualified entries with a score first, by score (higher first); ties by the earlier submission,
 *   then by submission id, so that the order never depends on the database's row order. Then entries that
 *   do not qualify or have no score, in the same tie order.
 * - Ranks 1, 2, ... go to qualified participants' entries with a score, in that order; baselines and
 *   entries that do not qualify stand in the order without a rank.
 */

export interface RankableEntry {
  /** The submission id: unique. */
  readonly id: string;
  /** Whose entry: a team, or a baseline's name for a baseline. */
  readonly team: string;
  readonly baseline: boolean;
  /** Higher is better; null when the formula could not compute it. */
  readonly score: number | null;
  readonly qualified: boolean;
  /** When the submission was made (epoch ms). */
  readonly submittedAt: number;
}

export interface RankedEntry<T extends RankableEntry> {
  readonly entry: T;
  /** 1-based; null for baselines and for entries that do not qualify or have no score. */
  readonly rank: number | null;
}

const counts = (e: RankableEntry): boolean => e.qualified && e.score !== null && Number.isFinite(e.score);

/** Negative when `a` stands before `b`. */
export function compareEntries(a: RankableEntry, b: RankableEntry): number {
  const ca = counts(a);
  const cb = counts(b);
  if (ca !== cb) return ca ? -1 : 1;
  if (ca && cb && a.score !== b.score) return (b.score as number) - (a.score as number);
  if (a.submittedAt !== b.submittedAt) return a.submittedAt - b.submittedAt;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/**
 * Each team's best entry (by compareEntries), and each baseline name's latest entry (the latest
 * submission, ties by id). Returned in no particular order: rank them with rankEntries.
 */
export function bestPerTeam<T extends RankableEntry>(entries: readonly T[]): T[] {
  const kept = new Map<string, T>();
  for (const e of entries) {
    const key = `${e.baseline ? 'baseline' : 'team'}:${e.team}`;
    const held = kept.get(key);
    if (held === undefined) kept.set(key, e);
    else if (e.baseline ? e.submittedAt > held.submittedAt || (e.submittedAt === held.submittedAt && e.id > held.id) : compareEntries(e, held) < 0) kept.set(key, e);
  }
  return [...kept.values()];
}

/** The entries in leaderboard order with their ranks (see the module comment). */
export function rankEntries<T extends RankableEntry>(entries: readonly T[]): RankedEntry<T>[] {
  let next = 1;
  return [...entries].sort(compareEntries).map((entry) => ({ entry, rank: !entry.baseline && counts(entry) ? next++ : null }));
}

export interface TradeoffPoint {
  readonly id: string;
  /** Per-image latency, lower is better (ms). */
  readonly latencyMs: number;
  /** Higher is better. */
  readonly accuracy: number;
}

/**
 * The ids of the points no other point dominates: q dominates p when q is at least as fast and at least as
 * accurate, and strictly better in one of the two. Two identical points do not dominate each other: both
 * are on the front. Points with a non-finite coordinate are left out. Quadratic: leaderboards hold at most a
 * few thousand entries.
 */
export function paretoFront(points: readonly TradeoffPoint[]): Set<string> {
  const usable = points.filter((p) => Number.isFinite(p.latencyMs) && Number.isFinite(p.accuracy));
  const front = new Set<string>();
  for (const p of usable) {
    const dominated = usable.some(
      (q) => q !== p && q.latencyMs <= p.latencyMs && q.accuracy >= p.accuracy && (q.latencyMs < p.latencyMs || q.accuracy > p.accuracy),
    );
    if (!dominated) front.add(p.id);
  }
  return front;
}
