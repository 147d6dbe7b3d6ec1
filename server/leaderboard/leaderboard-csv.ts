import type { Leaderboard } from './build-leaderboard.js';

/**
 * The CSV columns of `GET /api/leaderboard/:track?format=csv`, in order (docs/api.md); its rows are the board's
 * entries in the view's order (the same `board`, `phase`, `round`, `sort` and `order` as the JSON). New columns go at the end, so
 * that a spreadsheet reading the earlier ones by position keeps working.
 */
export const LEADERBOARD_CSV_COLUMNS = [
  'rank',
  'team',
  'baseline',
  'submission',
  'metric',
  'accuracy',
  'latency_p50_ms',
  'latency_ci95_low_ms',
  'latency_ci95_high_ms',
  'energy_j',
  'score',
  'qualified',
  'pareto',
  'formula',
  'submitted_at',
  'finished_at',
  'shown_rank',
  'tied',
  'public_rank',
  'private_rank',
  'statistic',
  'statistic_ms',
  'statistic_ci95_low_ms',
  'statistic_ci95_high_ms',
  'statistic_coverage',
  'robustness',
  'selected',
] as const;

/**
 * One field: quoted when it holds a comma, quote or line break (RFC 4180). Text that a spreadsheet would
 * take for a formula (=, +, -, @, tab, CR first) gets a leading apostrophe: a team name must not run as
 * one. Numbers are written as JavaScript prints them (full precision).
 */
export function csvField(value: string | number | boolean | null): string {
  if (value === null) return '';
  if (typeof value !== 'string') return String(value);
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

export function leaderboardCsv(board: Leaderboard): string {
  const lines = [LEADERBOARD_CSV_COLUMNS.join(',')];
  for (const e of board.entries) {
    const cells: (string | number | boolean | null)[] = [
      e.rank,
      e.team,
      e.baseline,
      e.submission,
      board.metric,
      e.accuracy,
      e.latency?.p50 ?? null,
      e.latency?.ci95[0] ?? null,
      e.latency?.ci95[1] ?? null,
      e.energy?.joules ?? null,
      e.score,
      e.qualified,
      e.pareto,
      e.formula,
      e.submittedAt,
      e.finishedAt,
      e.shownRank,
      e.tied,
      e.publicRank?.shownRank ?? null,
      e.privateRank?.shownRank ?? null,
      e.statistic?.name ?? null,
      e.statistic?.value ?? null,
      e.statistic?.ci95?.[0] ?? null,
      e.statistic?.ci95?.[1] ?? null,
      e.statistic?.coverage ?? null,
      // The board's metric on each robustness column (`robust`, `<split>~<set>`), as `name=value` pairs joined by `;`.
      e.robustness === null ? null : board.robustness.map((c) => `${c}=${e.robustness![c] ?? ''}`).join(';'),
      e.selected,
    ];
    lines.push(cells.map(csvField).join(','));
  }
  return `${lines.join('\r\n')}\r\n`;
}
