/**
 * Leaderboard ranking: which entry of each team counts, in what order entries stand, which of them are
 * statistically tied, and which lie on the accuracy-latency Pareto front. Pure functions: entries in,
 * entries out.
 *
 * The rule (docs/leaderboard.md):
 * - Each team's best entry counts, or its latest scored one when the track says `leaderboard.entry:
 *   "latest"`, or the one the team selected when it says `"selected"` (its best until it selects one). A
 *   baseline counts per baseline name: its latest entry, since the organizers replace a baseline by
 *   re-submitting it.
 * - Order: qualified entries with a score first, by score (higher first); equal scores by the earlier
 *   submission, then by submission id, so that the order never depends on the database's row order. Then
 *   entries that do not qualify or have no score, in the same tie order.
 * - Ranks 1, 2, ... go to qualified participants' entries with a score, in that order; baselines and
 *   entries that do not qualify stand in the order without a rank.
 * - Statistical ties: two ranked entries are tied when their scores' 95% intervals overlap (statisticallyTied):
 *   the score's interval is the formula at the two ends of its latency statistic's between-trial interval, since
 *   accuracy on the hidden split is exact and latency is the score's one uncertain input. Where either result
 *   has no score interval (stored before it existed, or a statistic without an interval), the rule from before:
 *   their latency intervals overlap AND their accuracies are equal within the data set's resolution; the latency
 *   interval is the between-trial interval of the statistic the score used when the result has protocol v2's
 *   trials, else the median's (tieLatencyInterval). Tie groups chain in
 *   rank order: an entry joins the group of the ranked entry just above it when the two are tied, so
 *   A~B and B~C put A, B and C in one group even when A and C are not tied (A~C is not required: the
 *   relation is not transitive, and chaining is the one grouping that depends on nothing but the order).
 *   Every entry of a group shows the group's first rank ("=3"); the next entry after the group shows its
 *   own position (competition ranking: 1, =2, =2, 4).
 */

export type EntryRule = 'best' | 'latest' | 'selected';

/** What the statistical tie test compares (statisticallyTied). */
export interface TieEvidence {
  /** The leaderboard's accuracy metric, a fraction in [0, 1]. */
  readonly accuracy: number;
  /**
   * The number of images the accuracy is a fraction of, when it is count-based (top-1, top-5: a number
   * of correct images over N): its resolution is 1/N. null when the metric is not a fraction of a count
   * (mAP, mIoU, mDice, F1): then only equal accuracies (to rounding) are "equal within the resolution".
   */
  readonly countBase: number | null;
  /** The latency interval the test compares, ms: tieLatencyInterval of the result. */
  readonly latencyCi95: readonly [number, number];
  /** The score's 95% interval (the record's score.ci95); absent or null where the result has none. */
  readonly scoreCi95?: readonly [number, number] | null;
}

/** What the tie test needs of a result's latency. */
export interface TieLatency {
  /** The median's distribution-free interval (the record's latency.ci95): between trials with trials, within the run without. */
  readonly medianCi95: readonly [number, number];
  /** Whether the latency comes from protocol v2's independent trials. */
  readonly trials: boolean;
  /** The interval of the statistic the score used (the record's score.statistic.ci95); null where it has none or the record names none. */
  readonly statisticCi95: readonly [number, number] | null;
}

/**
 * The latency interval an entry's tie test compares. With trials: the between-trial interval of the statistic the
 * score used, since that is the number the order rests on (a score by the mean is ordered by means, whose intervals
 * can be apart where the medians' overlap, and the other way round). Where that statistic has no interval (LoadGen's
 * early-stopping p90, min, max), where the score used none (an energy-only formula), and for results without trials
 * (stored before protocol v2, or a target that runs once), the median's interval: the rule from before, whose
 * within-run interval is all such a result has.
 */
export function tieLatencyInterval(l: TieLatency): readonly [number, number] {
  return l.trials && l.statisticCi95 !== null ? l.statisticCi95 : l.medianCi95;
}

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
  /** For the statistical tie test; an entry without it (no latency, no accuracy) is never tied. */
  readonly tie?: TieEvidence | null;
}

export interface RankedEntry<T extends RankableEntry> {
  readonly entry: T;
  /** 1-based position among ranked entries; null for baselines and for entries that do not qualify or have no score. */
  readonly rank: number | null;
  /** The rank to show: the tie group's first rank (equal to `rank` outside a tie group). */
  readonly shownRank: number | null;
  /** In a statistical tie group of two or more: shown as "=<shownRank>". */
  readonly tied: boolean;
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

/** Whether `a` is a later submission than `b` (ties by the larger id, so the choice never depends on row order). */
const later = (a: RankableEntry, b: RankableEntry): boolean => a.submittedAt > b.submittedAt || (a.submittedAt === b.submittedAt && a.id > b.id);

/**
 * Each team's best entry (by compareEntries), or with rule 'latest' its latest one, or with rule 'selected'
 * the entry whose id is in `selected` (the team's choice, server/leaderboard/entry-selections.ts) and its
 * best while none of its entries is selected; and each baseline name's latest entry (baselines select
 * nothing). A selected submission that is not among `entries` (no result on this board yet, or a failed
 * run) leaves the team with its best. Returned in no particular order: rank them with rankEntries.
 */
export function entryPerTeam<T extends RankableEntry>(entries: readonly T[], rule: EntryRule, selected: ReadonlySet<string> = new Set()): T[] {
  const chosen = (e: T): boolean => rule === 'selected' && !e.baseline && selected.has(e.id);
  const better = (e: T, held: T): boolean => {
    if (e.baseline || rule === 'latest') return later(e, held);
    // A team has one selection per track; were two of its ids given, the better of them would stand.
    if (chosen(e) !== chosen(held)) return chosen(e);
    return compareEntries(e, held) < 0;
  };
  const kept = new Map<string, T>();
  for (const e of entries) {
    const key = `${e.baseline ? 'baseline' : 'team'}:${e.team}`;
    const held = kept.get(key);
    if (held === undefined || better(e, held)) kept.set(key, e);
  }
  return [...kept.values()];
}

/** entryPerTeam(entries, 'best'). */
export function bestPerTeam<T extends RankableEntry>(entries: readonly T[]): T[] {
  return entryPerTeam(entries, 'best');
}

/**
 * Half a count: two count-based accuracies on N images differ by a multiple of 1/N, so "equal within the
 * resolution" is "the same number of correct images", tested with half a step of slack for rounding.
 * Non-count metrics get only rounding slack.
 */
const ROUNDING = 1e-9;

/**
 * The statistical tie test of two entries: their score intervals overlap when both have one; else their latency
 * intervals overlap and their accuracies are equal within the data set's resolution (see TieEvidence.countBase).
 * Intervals are closed: touching counts. Symmetric; not transitive.
 */
export function statisticallyTied(a: TieEvidence, b: TieEvidence): boolean {
  if (a.scoreCi95 && b.scoreCi95) {
    const [aLow, aHigh] = a.scoreCi95;
    const [bLow, bHigh] = b.scoreCi95;
    return [aLow, aHigh, bLow, bHigh].every(Number.isFinite) && aLow <= bHigh && bLow <= aHigh;
  }
  const [aLow, aHigh] = a.latencyCi95;
  const [bLow, bHigh] = b.latencyCi95;
  if (![aLow, aHigh, bLow, bHigh, a.accuracy, b.accuracy].every(Number.isFinite)) return false;
  const overlap = aLow <= bHigh && bLow <= aHigh;
  const bases = [a.countBase, b.countBase].filter((n): n is number => n !== null && n > 0);
  // Both must be count-based for the 1/N resolution; with two different N the coarser one decides.
  const slack = bases.length === 2 ? 0.5 / Math.min(...bases) : ROUNDING;
  return overlap && Math.abs(a.accuracy - b.accuracy) < slack;
}

/** The entries in leaderboard order with their ranks and tie groups (see the module comment). */
export function rankEntries<T extends RankableEntry>(entries: readonly T[]): RankedEntry<T>[] {
  let next = 1;
  let previous: { entry: T; shownRank: number } | null = null;
  const ranked: { entry: T; rank: number | null; shownRank: number | null; tied: boolean }[] = [];
  let groupStart = -1;
  for (const entry of [...entries].sort(compareEntries)) {
    if (entry.baseline || !counts(entry)) {
      ranked.push({ entry, rank: null, shownRank: null, tied: false });
      continue;
    }
    const rank = next++;
    const chained: boolean = previous !== null && previous.entry.tie != null && entry.tie != null && statisticallyTied(previous.entry.tie, entry.tie);
    const shownRank: number = chained && previous !== null ? previous.shownRank : rank;
    const index = ranked.push({ entry, rank, shownRank, tied: chained }) - 1;
    if (chained) ranked[groupStart]!.tied = true;
    else groupStart = index;
    previous = { entry, shownRank };
  }
  return ranked;
}

/** How a rank is shown: "3", "=3" in a tie group, "—" without a rank. */
export function rankLabel(r: { readonly shownRank: number | null; readonly tied: boolean }): string {
  return r.shownRank === null ? '—' : r.tied ? `=${r.shownRank}` : String(r.shownRank);
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
