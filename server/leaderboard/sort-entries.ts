/**
 * The display order of a leaderboard's entries (`?sort=<column>&order=asc|desc`, docs/leaderboard.md): by rank (the
 * default), by any accuracy metric of the track, by latency, energy, score or date. Sorting moves rows, never ranks:
 * an entry keeps the rank the ranking gave it. Qualified entries stay before the others (two sections, each sorted).
 */
import { LpcvError } from '../../errors/lpcv-error.js';

/** What sorting reads of a board's entry (build-leaderboard.ts LeaderboardEntry has these and more). */
export interface SortableEntry {
  readonly qualified: boolean;
  readonly statistic: { readonly value: number } | null;
  readonly latency: { readonly p50: number } | null;
  readonly energy: { readonly joules: number } | null;
  readonly score: number | null;
  readonly finishedAt: string;
  readonly metrics: Readonly<Record<string, number>>;
}

export type SortOrder = 'asc' | 'desc';

export interface EntrySort {
  /** rank, an accuracy metric of the track (top1, map...), latency, energy, score or date. */
  readonly column: string;
  readonly order: SortOrder;
}

/** What sorting needs of a track: its name (for messages) and its accuracy metrics. */
interface SortableTrack {
  readonly name: string;
  readonly metrics: readonly string[];
}

export const RANK_SORT: EntrySort = Object.freeze({ column: 'rank', order: 'asc' });

const FIXED_COLUMNS = ['latency', 'energy', 'score', 'date'] as const;

/** The columns a track's board sorts by, in the page's order. */
export function sortColumns(track: Pick<SortableTrack, 'metrics'>): string[] {
  return ['rank', ...track.metrics, ...FIXED_COLUMNS];
}

/**
 * A column's first order when its header is followed: the better end first (higher accuracy and score, lower
 * latency and energy, rank 1), the newest date first.
 */
export function defaultOrder(column: string): SortOrder {
  return column === 'rank' || column === 'latency' || column === 'energy' ? 'asc' : 'desc';
}

/** The sort the query asks for: `sort` must be one of sortColumns, `order` asc or desc (default: the column's). */
export function parseSort(track: SortableTrack, sort: string | undefined, order: string | undefined): EntrySort {
  const columns = sortColumns(track);
  const column = sort ?? 'rank';
  if (!columns.includes(column))
    throw new LpcvError('LPCV_E_BAD_REQUEST', `sort must be one of ${columns.join(', ')} on track ${track.name}, not ${JSON.stringify(column)}`);
  if (order !== undefined && order !== 'asc' && order !== 'desc')
    throw new LpcvError('LPCV_E_BAD_REQUEST', `order must be asc or desc, not ${JSON.stringify(order)}`);
  return { column, order: order ?? defaultOrder(column) };
}

/** The number an entry is sorted by in a column; null sorts last in either order. */
function sortValue(e: SortableEntry, column: string, position: number): number | null {
  switch (column) {
    case 'rank':
      // The board's own order is the rank order, unranked entries (baselines, partial views) included.
      return position;
    case 'latency':
      // What the latency column shows: the statistic the score used, else the median.
      return e.statistic?.value ?? e.latency?.p50 ?? null;
    case 'energy':
      return e.energy?.joules ?? null;
    case 'score':
      return e.score;
    case 'date':
      return Date.parse(e.finishedAt);
    default:
      return e.metrics[column] ?? null;
  }
}

/**
 * The entries (in rank order) in the sort's order: qualified ones first, then the others, each part sorted
 * by the column; equal values and nulls keep the rank order (nulls last whatever the order).
 */
export function sortEntries<E extends SortableEntry>(entries: readonly E[], sort: EntrySort): E[] {
  const keyed = entries.map((e, position) => {
    const value = sortValue(e, sort.column, position);
    return { e, position, value: value !== null && Number.isFinite(value) ? value : null };
  });
  const sign = sort.order === 'asc' ? 1 : -1;
  keyed.sort((a, b) => {
    if (a.e.qualified !== b.e.qualified) return a.e.qualified ? -1 : 1;
    if (a.value !== b.value) {
      if (a.value === null) return 1;
      if (b.value === null) return -1;
      return sign * (a.value - b.value);
    }
    return a.position - b.position;
  });
  return keyed.map((k) => k.e);
}
