/** The leaderboard: visibility (reveals), public and private boards, entries per team, ranks and ties, Pareto front; JSON and CSV. */
export {
  buildLeaderboard,
  primaryMetric,
  type Board,
  type BuildOptions,
  type EntryStatistic,
  type Leaderboard,
  type LeaderboardEntry,
  type OtherRank,
} from './build-leaderboard.js';
export { ROBUST_COLUMN } from './robustness-columns.js';
export { LEADERBOARD_CSV_COLUMNS, csvField, leaderboardCsv } from './leaderboard-csv.js';
export {
  effectiveFormula,
  formulaLabel,
  sameFormula,
  setTrackFormula,
  trackFileFormula,
  trackWithEffectiveFormula,
  type EffectiveFormula,
  type TrackFormula,
} from './track-formulas.js';
export { tieEvidence } from './tie-evidence.js';
export { hideTrack, revealTrack, trackReveal, type Reveal } from './track-reveals.js';
export { ANONYMOUS, type Viewer } from './viewer.js';
