/**
 * A track's leaderboard as one viewer may see it (docs/leaderboard.md): the done runs on one of the
 * track's leaderboard splits, each team's best (or latest) entry (scoring/ranking), ranked, with
 * statistical tie groups and the accuracy-latency Pareto front.
 *
 * Two boards: the private one (the track's hidden split, `submissionSplit`), and, when the track declares
 * `leaderboard.publicSplit`, a public one that everyone sees during the competition. The public board is
 * shown until an admin reveals the track, the private one after; each entry then carries its rank on
 * both. Private results are shown to their own team and to admins only until the reveal; baselines are
 * always shown. With a public split, which entry of a team counts is decided on the public board (as
 * Kaggle does by default), and that same submission stands on the private board: nobody's entry is picked
 * by its hidden score.
 *
 * A view of the board (leaderboard-query.ts): restricted to one competition phase or round (phase-filter.ts), and
 * sorted by a column (sort-entries.ts), which moves rows and never ranks.
 */
import type { ResultRecord } from '../../harness/result-record.js';
import type { Track } from '../../harness/tracks/track.js';
import { LpcvError } from '../../errors/lpcv-error.js';
import type { LatencyStatistic } from '../../scoring/formulas/measure-names.js';
import { entryPerTeam, paretoFront, rankEntries, type EntryRule, type RankableEntry, type RankedEntry } from '../../scoring/ranking.js';
import type { Db } from '../db/index.js';
import { publicLeaderboardSplit, submissionSplit } from '../../harness/tracks/split-policy.js';
import { robustnessColumns, robustnessValues } from './robustness-columns.js';
import { tieEvidence } from './tie-evidence.js';
import { effectiveFormula, formulaLabel } from './track-formulas.js';
import { trackReveal } from './track-reveals.js';
import { autoRevealedAt, openPhase } from '../../harness/competitions/phase-clock.js';
import { readPhases } from '../competitions/competitions-table.js';
import type { Phase } from '../../harness/competitions/competition.js';
import type { Viewer } from './viewer.js';
import { selectedEntries } from './entry-selections.js';
import { parsePhaseFilter, trackPhases, type PhaseFilter, type TrackPhase } from './phase-filter.js';
import { parseSort, sortEntries, type EntrySort } from './sort-entries.js';

export type Board = 'public' | 'private';

export interface LeaderboardEntry {
  /** 1-based position among ranked entries; null for baselines, entries that do not qualify, and partial views. */
  rank: number | null;
  /** The rank to show: a statistical tie group's first rank (see `tied`). */
  shownRank: number | null;
  /** In a statistical tie group: shown as "=<shownRank>". */
  tied: boolean;
  /** This entry's standing on the public board, given on the private board (null without a public split, or not on it). */
  publicRank: OtherRank | null;
  /** This entry's standing on the private board, given on the public board after the reveal (else null). */
  privateRank: OtherRank | null;
  team: string;
  /** The baseline's name when this is an organizer's baseline, else null. */
  baseline: string | null;
  submission: string;
  /** The leaderboard's accuracy metric (`metric`), a fraction in [0, 1]; null when not measured. */
  accuracy: number | null;
  /** Every accuracy metric of the result. */
  metrics: Record<string, number>;
  /**
   * The board's metric on the track's robustness splits of this board's split (docs/robustness.md), in the order of
   * the board's `robustness` columns: the mean over corrupted splits (`robust`) and each adversarial set; a value is
   * null when the run did not measure it. Null when the track declares none for the split.
   */
  robustness: Record<string, number | null> | null;
  /** Per-image inference latency: the median and its distribution-free 95% interval (between trials when the result has them). */
  latency: { unit: 'ms'; p50: number; ci95: [number, number]; count: number } | null;
  /**
   * The statistic of the latency the score used (the record's score.statistic), with its interval: what explains the
   * order. Null when the score used none (an energy-only formula, or the run lacked the one it names) and for results
   * stored before records named it (the page then shows the median, named as such).
   */
  statistic: EntryStatistic | null;
  /** Measured energy of the run, or null (the result's energyNote says why). */
  energy: { joules: number; avgWatts: number; source: string } | null;
  energyNote: string | null;
  score: number | null;
  /** The score's 95% interval (the record's score.ci95): what the tie test compares; null where the result has none. */
  scoreCi95: [number, number] | null;
  /** Whether the entry meets the track's limits; the others are listed after it, unranked ("Disqualified"). */
  qualified: boolean;
  /** Why the score is null or the entry does not qualify. */
  reason: string | null;
  /** `name@version` of the formula that computed the score. */
  formula: string;
  /** Where it ran. */
  device: string;
  /** On the accuracy-latency Pareto front of the entries shown. */
  pareto: boolean;
  /** The team's selected submission (entry rule `selected`); false elsewhere, and where the team has its best by default. */
  selected: boolean;
  /** ISO 8601. */
  submittedAt: string;
  finishedAt: string;
}

/** The latency statistic a score used, as an entry carries it. */
export interface EntryStatistic {
  /** mean, p50, p90, ..., p90EarlyStopping, calibrated (docs/formulas.md, "Which latency statistic"). */
  name: LatencyStatistic;
  unit: 'ms';
  value: number;
  /** Between trials when `trials` is a number, else the within-run interval (a median without trials); null where none exists. */
  ci95: [number, number] | null;
  coverage: number | null;
  /** How many trials the result has; null for a result without trials. */
  trials: number | null;
}

/** An entry's rank on the other board. */
export interface OtherRank {
  rank: number | null;
  shownRank: number | null;
  tied: boolean;
}

export interface Leaderboard {
  track: string;
  title: string;
  /** Which board this is, and the boards the track has. */
  board: Board;
  publicSplit: string | null;
  privateSplit: string;
  /** Whether the private split's labels are hidden (then its results wait for the reveal). */
  privateHidden: boolean;
  /** The split this board's entries are scored on, and whether its labels are hidden. */
  split: string;
  hiddenSplit: boolean;
  /** When the private results were revealed (ISO 8601): by an admin, or by the end of a phase with `reveal: auto`; or null. */
  revealedAt: string | null;
  /** Who revealed them: an admin (track_reveals), or a phase's automatic reveal; null while they are not revealed. */
  revealedBy: 'admin' | 'phase' | null;
  /**
   * The competition phase open on the track (docs/running-a-competition.md), or null. While a phase with
   * `boardVisible: false` is open, participants see their own entries and the baselines only.
   */
  phase: { name: string; title: string; endsAt: string; boardVisible: boolean } | null;
  /** Which entry of a team counts: its best, its latest scored, or its selected submission (its best until it selects one). */
  entryRule: EntryRule;
  /** The competition's phases on this track, with their rounds, in start order (the page links each one's board). */
  phases: TrackPhase[];
  /** The phase (and round) this view is restricted to (`?phase=&round=`): only submissions made in it; null: all. */
  phaseFilter: { phase: string; round: string | null } | null;
  /** The display order (`?sort=&order=`): rank ascending by default. Sorting never changes a rank. */
  sort: EntrySort;
  /** The accuracy metric shown (the formula's `accuracy` parameter, else the track's first metric). */
  metric: string;
  /**
   * Robust accuracy beside clean: the columns of the entries' `robustness`, `robust` (the mean over the corrupted
   * splits, when the track declares any) then each adversarial split (`<split>~<name>`), as the track declares them.
   */
  robustness: string[];
  /**
   * The latency statistic the shown entries' scores used, when those that name one all name the same (the page's
   * latency column then shows it); null when none names one, or they differ (each entry's `statistic` says which).
   */
  statistic: LatencyStatistic | null;
  /** The effective formula (`name@version`), and whether a re-score set it over the track file's. */
  formula: string;
  formulaSource: 'track-file' | 'rescore';
  /** Whether this viewer sees every entry. When false, ranks are withheld (null). */
  complete: boolean;
  /** Entries (one per team) this viewer may not see yet. */
  withheld: number;
  /** How many of `entries` qualify, and how many do not (listed after the qualified ones). */
  qualifiedEntries: number;
  disqualifiedEntries: number;
  entries: LeaderboardEntry[];
}

/** The accuracy a leaderboard shows: the formula's `accuracy` parameter when it names a metric, else the first. */
export function primaryMetric(track: Track, params: Readonly<Record<string, unknown>> = track.score.params): string {
  const fromFormula = params.accuracy;
  return typeof fromFormula === 'string' && (track.metrics as readonly string[]).includes(fromFormula) ? fromFormula : track.metrics[0]!;
}

interface Row {
  id: string;
  team_id: number;
  team: string;
  baseline_name: string | null;
  created_at: number;
  record_json: string;
}

interface Candidate extends RankableEntry {
  readonly teamId: number;
  readonly baselineName: string | null;
  readonly record: ResultRecord;
}

/**
 * The done runs of one board, one per submission: the result (`results`, the one result store, which has a
 * row exactly when its job is done) of its private-split job (`submissions.job_id`) or of its public-split
 * job (`submissions.public_job_id`, migration 0007); never another job of the submission (a device's
 * reference run is an extra job of a baseline's submission, server/devices: never an entry).
 */
async function runsOn(db: Db, track: Track, board: Board, metric: string, filter: PhaseFilter | null): Promise<Map<string, Candidate>> {
  const query = db('submissions as s')
    .join('results as r', 'r.job_id', board === 'private' ? 's.job_id' : 's.public_job_id')
    .join('teams as t', 't.id', 's.team_id')
    .where('s.track', track.name);
  // Baselines stand on every phase's board: they are the organizers' reference points, made in no phase.
  if (filter !== null)
    void query.where((q) =>
      q.whereNotNull('s.baseline_name').orWhere((inPhase) => {
        void inPhase.where('s.phase', filter.phase.name);
        if (filter.round !== null) void inPhase.where('s.round', filter.round);
      }),
    );
  const rows = (await query.select('s.id', 's.team_id', 't.name as team', 's.baseline_name', 's.created_at', 'r.record_json')) as Row[];
  const runs = new Map<string, Candidate>();
  for (const r of rows) {
    const record = JSON.parse(r.record_json) as ResultRecord;
    runs.set(r.id, {
      id: r.id,
      team: r.baseline_name ?? r.team,
      teamId: Number(r.team_id),
      baseline: r.baseline_name !== null,
      baselineName: r.baseline_name,
      score: record.score.value,
      qualified: record.score.qualified,
      submittedAt: Number(r.created_at),
      tie: tieEvidence(record, metric),
      record,
    });
  }
  return runs;
}

const ranksById = (ranked: readonly RankedEntry<Candidate>[]): Map<string, OtherRank> =>
  new Map(ranked.map((r) => [r.entry.id, { rank: r.rank, shownRank: r.shownRank, tied: r.tied }]));

export interface BuildOptions {
  /** Which board; default: the open phase's, else the public one until the reveal (when the track has one), else the private one. */
  readonly board?: Board;
  /**
   * The time (epoch ms) the competition's phases are read at: a phase's automatic reveal and its hidden board.
   * Without it phases are not consulted (admins' reads: re-scoring, which see every entry anyway).
   */
  readonly now?: number;
  /** Only the submissions made in this phase (and round) of the competition: 400 for one the track does not have. */
  readonly phase?: string;
  readonly round?: string;
  /** The display order: a column of sortColumns (default rank) and asc or desc (default: the column's); 400 otherwise. */
  readonly sort?: string;
  readonly order?: string;
}

/**
 * All that a board takes from the clock: the time of the automatic reveal that has happened (a phase with `reveal:
 * auto` that ended), and the phase open now. Two reads with equal values (and an unchanged database) build the same
 * board, which is what lets board-cache.ts keep one across reads: keep every use of `now` in here.
 */
export function boardClock(phases: readonly Phase[], track: string, now: number | undefined): { autoAt: number | null; current: Phase | null } {
  if (now === undefined) return { autoAt: null, current: null };
  return { autoAt: autoRevealedAt(phases, track, now), current: openPhase(phases, track, now) };
}

export async function buildLeaderboard(db: Db, track: Track, viewer: Viewer, options: BuildOptions = {}): Promise<Leaderboard> {
  const privateSplit = submissionSplit(track);
  const publicSplit = publicLeaderboardSplit(track);
  const privateHidden = track.splits[privateSplit]?.visibility === 'hidden';
  const reveal = await trackReveal(db, track.name);
  const phases = await readPhases(db);
  const filter = parsePhaseFilter(phases, track.name, options.phase, options.round);
  const sort = parseSort(track, options.sort, options.order);
  const { autoAt, current } = boardClock(phases, track.name, options.now);
  // A phase's board is the one it ranks; without a phase in the query, the open phase's.
  const boardPhase = filter?.phase ?? current;
  const revealedAt = reveal !== null && (autoAt === null || reveal.revealedAt <= autoAt) ? reveal.revealedAt : autoAt;
  const revealed = revealedAt !== null || !privateHidden;
  const board: Board = options.board ?? (publicSplit !== null && (boardPhase !== null ? boardPhase.board === 'public' : !revealed) ? 'public' : 'private');
  // A phase that hides its board: participants see their own entries and the baselines until it ends.
  const boardHidden = current !== null && !current.boardVisible && viewer.kind !== 'admin';
  if (board === 'public' && publicSplit === null)
    throw new LpcvError('LPCV_E_BAD_REQUEST', `track ${track.name} has no public leaderboard split (leaderboard.publicSplit in its track file)`);
  const formula = await effectiveFormula(db, track);
  const metric = primaryMetric(track, formula.params);
  const entryRule: EntryRule = track.leaderboard?.entry ?? 'best';

  const privateRuns = await runsOn(db, track, 'private', metric, filter);
  const publicRuns = publicSplit === null ? null : await runsOn(db, track, 'public', metric, filter);
  const runs = publicRuns ?? privateRuns;
  const selected = entryRule === 'selected' ? await selectedIds(db, track.name, runs) : new Set<string>();
  // Which submission of each team counts: chosen on the public board when there is one.
  const chosen = entryPerTeam([...runs.values()], entryRule, selected).map((c) => c.id);
  const onBoard = (runs: Map<string, Candidate>): Candidate[] => chosen.flatMap((id) => runs.get(id) ?? []);
  const privateBest = onBoard(privateRuns);
  const publicRanks = publicRuns === null ? null : ranksById(rankEntries(onBoard(publicRuns)));
  const privateRanks = ranksById(rankEntries(privateBest));

  const ownOrBaseline = (c: Candidate): boolean => c.baseline || (viewer.kind === 'team' && c.teamId === viewer.teamId);
  const all = board === 'public' ? onBoard(publicRuns!) : privateBest;
  const everyoneSees = !boardHidden && (board === 'public' || revealed || viewer.kind === 'admin');
  const shown = everyoneSees ? all : all.filter(ownOrBaseline);
  const withheld = all.length - shown.length;
  const complete = withheld === 0;
  const front = paretoFront(
    shown.flatMap((c) => {
      const accuracy = c.record.accuracy[metric];
      return accuracy === undefined || c.record.latency === null ? [] : [{ id: c.id, latencyMs: c.record.latency.p50, accuracy }];
    }),
  );
  // The other board's rank: the public rank is no secret; the private one is shown once revealed.
  const otherRanks = (id: string): { publicRank: OtherRank | null; privateRank: OtherRank | null } => ({
    publicRank: board === 'private' && complete ? (publicRanks?.get(id) ?? null) : null,
    privateRank: board === 'public' && revealed && complete ? (privateRanks.get(id) ?? null) : null,
  });
  const split = board === 'public' ? publicSplit! : privateSplit;
  const robustness = robustnessColumns(track, split);
  const ranked = rankEntries(shown).map((r) => toEntry(r, complete, metric, front.has(r.entry.id), otherRanks(r.entry.id), robustness, selected));
  const entries = sortEntries(ranked, sort);
  const qualifiedEntries = entries.filter((e) => e.qualified).length;
  const names = new Set(entries.flatMap((e) => (e.statistic === null ? [] : [e.statistic.name])));
  const [only] = names;
  return {
    track: track.name,
    title: track.title,
    board,
    publicSplit,
    privateSplit,
    privateHidden,
    split,
    hiddenSplit: track.splits[split]?.visibility === 'hidden',
    revealedAt: revealedAt === null ? null : new Date(revealedAt).toISOString(),
    revealedBy: revealedAt === null ? null : revealedAt === reveal?.revealedAt ? 'admin' : 'phase',
    phase:
      current === null ? null : { name: current.name, title: current.title, endsAt: new Date(current.endAt).toISOString(), boardVisible: current.boardVisible },
    entryRule,
    phases: trackPhases(phases, track.name),
    phaseFilter: filter === null ? null : { phase: filter.phase.name, round: filter.round },
    sort,
    metric,
    robustness,
    statistic: names.size === 1 ? only! : null,
    formula: formulaLabel(formula),
    formulaSource: formula.source,
    complete,
    withheld,
    qualifiedEntries,
    disqualifiedEntries: entries.length - qualifiedEntries,
    entries,
  };
}

function toEntry(
  ranked: RankedEntry<Candidate>,
  complete: boolean,
  metric: string,
  pareto: boolean,
  other: { publicRank: OtherRank | null; privateRank: OtherRank | null },
  robustness: readonly string[],
  selected: ReadonlySet<string>,
): LeaderboardEntry {
  const c = ranked.entry;
  const r = c.record;
  return {
    rank: complete ? ranked.rank : null,
    shownRank: complete ? ranked.shownRank : null,
    tied: complete && ranked.tied,
    ...other,
    team: c.baseline ? 'baseline' : c.team,
    baseline: c.baselineName,
    submission: c.id,
    accuracy: r.accuracy[metric] ?? null,
    metrics: r.accuracy,
    robustness: robustness.length === 0 ? null : robustnessValues(r, robustness, metric),
    latency: r.latency === null ? null : { unit: 'ms', p50: r.latency.p50, ci95: r.latency.ci95, count: r.latency.count },
    statistic: entryStatistic(r),
    energy: r.energy === null ? null : { joules: r.energy.joules, avgWatts: r.energy.avgWatts, source: r.energy.source },
    energyNote: r.energy === null ? (r.energyNote ?? null) : null,
    score: r.score.value,
    scoreCi95: r.score.ci95 ?? null,
    qualified: r.score.qualified,
    reason: r.score.reason ?? null,
    formula: `${r.score.formula}@${r.score.version}`,
    device: r.target.device,
    pareto,
    selected: selected.has(c.id),
    submittedAt: new Date(c.submittedAt).toISOString(),
    finishedAt: r.finishedAt,
  };
}

/** The teams' selected submissions among the board's runs (a selection is only ever the team's own: entry-selections.ts). */
async function selectedIds(db: Db, track: string, runs: ReadonlyMap<string, Candidate>): Promise<Set<string>> {
  const selections = await selectedEntries(db, track);
  return new Set([...runs.values()].filter((c) => !c.baseline && selections.get(c.teamId) === c.id).map((c) => c.id));
}

function entryStatistic(r: ResultRecord): EntryStatistic | null {
  const st = r.score.statistic;
  if (st === null || st === undefined) return null;
  const trials = r.latency?.trials?.length ?? 0;
  return { name: st.name, unit: 'ms', value: st.value, ci95: st.ci95, coverage: st.coverage, trials: trials > 0 ? trials : null };
}
