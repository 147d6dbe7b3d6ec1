/** The leaderboard: visibility (reveals), public and private boards, entries per team (selections), ranks and ties, Pareto front, views (phase, sort); JSON and CSV. */
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
export { boardParam, leaderboardQuery, viewQuery, type LeaderboardQuery, type ViewChange } from './leaderboard-query.js';
export { defaultOrder, RANK_SORT, sortColumns, sortEntries, type EntrySort, type SortOrder } from './sort-entries.js';
export { parsePhaseFilter, trackPhases, type PhaseFilter, type TrackPhase } from './phase-filter.js';
export { selectEntry, selectedEntries, selectedEntry, type EntrySelection, type SelectEntryArgs } from './entry-selections.js';
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
