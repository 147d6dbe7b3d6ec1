/**
 * The query of a board's view, shared by `GET /api/leaderboard/:track` (JSON and CSV) and the page
 * `/leaderboard/:track`: `board`, `sort`, `order`, `phase`, `round` (docs/leaderboard.md). Read here as single
 * strings; what they may name (the track's columns, the competition's phases) is checked where the board is built.
 * And the links of the page, which keep the view's query while changing one part of it.
 */
import { LpcvError } from '../../errors/lpcv-error.js';
import type { Board, Leaderboard } from './build-leaderboard.js';
import { RANK_SORT } from './sort-entries.js';

export interface LeaderboardQuery {
  readonly board?: Board;
  readonly sort?: string;
  readonly order?: string;
  readonly phase?: string;
  readonly round?: string;
}

/** `?board=public|private`, or undefined (the default board). */
export function boardParam(value: unknown): Board | undefined {
  if (value === undefined) return undefined;
  if (value !== 'public' && value !== 'private') throw new LpcvError('LPCV_E_BAD_REQUEST', `board must be public or private, not ${JSON.stringify(value)}`);
  return value;
}

function text(query: Readonly<Record<string, unknown>>, name: string): string | undefined {
  const value = query[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new LpcvError('LPCV_E_BAD_REQUEST', `${name} must be given once, as text`);
  return value;
}

/** The view a request's query asks for (an Express `req.query`). */
export function leaderboardQuery(query: Readonly<Record<string, unknown>>): LeaderboardQuery {
  const board = boardParam(query.board);
  const parts = { sort: text(query, 'sort'), order: text(query, 'order'), phase: text(query, 'phase'), round: text(query, 'round') };
  return { ...(board === undefined ? {} : { board }), ...Object.fromEntries(Object.entries(parts).filter(([, v]) => v !== undefined)) };
}

export interface ViewChange {
  readonly board?: Board;
  readonly sort?: string;
  readonly order?: string;
  /** null: the whole board (no phase, no round). */
  readonly phase?: string | null;
  readonly round?: string | null;
  readonly format?: 'csv';
}

/**
 * The query string (with its `?`, or empty) of the board's view with `change` applied: the board when the track has
 * two, the phase and round, the sort unless it is the rank order.
 */
export function viewQuery(b: Leaderboard, change: ViewChange = {}): string {
  const params = new URLSearchParams();
  if (change.format !== undefined) params.set('format', change.format);
  if (b.publicSplit !== null) params.set('board', change.board ?? b.board);
  const phase = change.phase === undefined ? (b.phaseFilter?.phase ?? null) : change.phase;
  const round = change.round === undefined && change.phase === undefined ? (b.phaseFilter?.round ?? null) : (change.round ?? null);
  if (phase !== null) params.set('phase', phase);
  if (phase !== null && round !== null) params.set('round', round);
  const column = change.sort ?? b.sort.column;
  const order = change.order ?? b.sort.order;
  if (column !== RANK_SORT.column || order !== RANK_SORT.order) {
    params.set('sort', column);
    params.set('order', order);
  }
  const query = params.toString();
  return query === '' ? '' : `?${query}`;
}
