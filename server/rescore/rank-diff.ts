/**
 * The rank changes between two leaderboards of the same board (before and after a re-score): who moved
 * from where to where. Pure.
 */
import type { Leaderboard, LeaderboardEntry } from '../leaderboard/index.js';

export interface Standing {
  readonly rank: number | null;
  /** As shown: "3", "=3" (statistical tie), "—" (baseline, not qualified, no score). */
  readonly shown: string;
  readonly score: number | null;
  readonly qualified: boolean;
  readonly formula: string;
}

export interface RankChange {
  readonly board: Leaderboard['board'];
  readonly submission: string;
  /** The team, or the baseline's name (`baseline` set). */
  readonly team: string;
  readonly baseline: string | null;
  /** null: not on that leaderboard. */
  readonly from: Standing | null;
  readonly to: Standing | null;
  /** The rank (or the rank shown, or being on the board at all) changed. */
  readonly moved: boolean;
}

const shown = (e: LeaderboardEntry): string => (e.shownRank === null ? '—' : e.tied ? `=${e.shownRank}` : String(e.shownRank));

function standing(e: LeaderboardEntry | undefined): Standing | null {
  return e === undefined ? null : { rank: e.rank, shown: shown(e), score: e.score, qualified: e.qualified, formula: e.formula };
}

/** Every entry of either board, in the new board's order, then the ones that left it. */
export function rankDiff(before: Leaderboard, after: Leaderboard): RankChange[] {
  const old = new Map(before.entries.map((e) => [e.submission, e]));
  const now = new Map(after.entries.map((e) => [e.submission, e]));
  const ids = [...after.entries.map((e) => e.submission), ...before.entries.map((e) => e.submission).filter((id) => !now.has(id))];
  return ids.map((id) => {
    const e = (now.get(id) ?? old.get(id))!;
    const from = standing(old.get(id));
    const to = standing(now.get(id));
    return {
      board: after.board,
      submission: id,
      team: e.baseline ?? e.team,
      baseline: e.baseline,
      from,
      to,
      moved: from?.rank !== to?.rank || from?.shown !== to?.shown,
    };
  });
}

/** One line per moved entry: "team-a (sub): 3 -> 1". */
export function describeMoves(changes: readonly RankChange[]): string[] {
  return changes
    .filter((c) => c.moved)
    .map(
      (c) =>
        `${c.board} board: ${c.baseline !== null ? `baseline ${c.baseline}` : c.team} (${c.submission}): ${c.from?.shown ?? 'absent'} -> ${c.to?.shown ?? 'absent'}`,
    );
}
