/** The leaderboard: visibility (reveals), best entry per team, ranks, Pareto front; JSON and CSV. */
export { buildLeaderboard, primaryMetric, type Leaderboard, type LeaderboardEntry } from './build-leaderboard.js';
export { LEADERBOARD_CSV_COLUMNS, csvField, leaderboardCsv } from './leaderboard-csv.js';
export { hideTrack, revealTrack, trackReveal, type Reveal } from './track-reveals.js';
export { ANONYMOUS, type Viewer } from './viewer.js';
