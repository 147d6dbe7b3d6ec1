/**
 * A track's leaderboard as one viewer may see it (docs/leaderboard.md): the done submissions on the track's
 * leaderboard split, each team's best entry (scoring/ranking), ranked, with the accuracy-latency Pareto
 * front. Hidden-split results are shown to their own team and admins only until an admin reveals the
 * track; baselines are always shown.
 */
import type { ResultRecord } from '../../harness/result-record.js';
import type { Track } from '../../harness/tracks/track.js';
import { bestPerTeam, paretoFront, rankEntries, type RankableEntry } from '../../scoring/ranking.js';
import type { Db } from '../db/index.js';
import { submissionSplit } from '../http/track-lookup.js';
import { trackReveal } from './track-reveals.js';
import type { Viewer } from './viewer.js';

export interface LeaderboardEntry {
  /** 1-based among ranked entries; null for baselines, entries that do not qualify, and partial views. */
  rank: number | null;
  team: string;
  /** The baseline's name when this is an organizer's baseline, else null. */
  baseline: string | null;
  submission: string;
  /** The track's primary accuracy metric (`metric`), a fraction in [0, 1]; null when not measured. */
  accuracy: number | null;
  /** Every accuracy metric of the result. */
  metrics: Record<string, number>;
  /** Per-image inference latency: the median and its distribution-free 95% interval. */
  latency: { unit: 'ms'; p50: number; ci95: [number, number]; count: number } | null;
  /** Measured energy of the run, or null (the result's energyNote says why). */
  energy: { joules: number; avgWatts: number; source: string } | null;
  energyNote: string | null;
  score: number | null;
  qualified: boolean;
  /** Why the score is null or the entry does not qualify. */
  reason: string | null;
  /** `name@version` of the formula that computed the score. */
  formula: string;
  /** Where it ran. */
  device: string;
  /** On the accuracy-latency Pareto front of the entries shown. */
  pareto: boolean;
  /** ISO 8601. */
  submittedAt: string;
  finishedAt: string;
}

export interface Leaderboard {
  track: string;
  title: string;
  /** The split entries are scored on, and whether its labels are hidden. */
  split: string;
  hiddenSplit: boolean;
  /** When an admin revealed the hidden-split results (ISO 8601), or null. */
  revealedAt: string | null;
  /** The accuracy metric shown (the formula's `accuracy` parameter, else the track's first metric). */
  metric: string;
  formula: string;
  /** Whether this viewer sees every entry. When false, ranks are withheld (null). */
  complete: boolean;
  /** Entries (best per team) this viewer may not see yet. */
  withheld: number;
  entries: LeaderboardEntry[];
}

/** The accuracy a leaderboard shows: the formula's `accuracy` parameter when it names a metric, else the first. */
export function primaryMetric(track: Track): string {
  const fromFormula = track.score.params.accuracy;
  return typeof fromFormula === 'string' && (track.metrics as readonly string[]).includes(fromFormula) ? fromFormula : track.metrics[0]!;
}

interface Row {
  id: string;
  team_id: number;
  team: string;
  baseline_name: string | null;
  created_at: number;
  result_json: string | null;
}

interface Candidate extends RankableEntry {
  readonly teamId: number;
  readonly baselineName: string | null;
  readonly record: ResultRecord;
}

export async function buildLeaderboard(db: Db, track: Track, viewer: Viewer): Promise<Leaderboard> {
  const split = submissionSplit(track);
  const hiddenSplit = track.splits[split]?.visibility === 'hidden';
  const reveal = hiddenSplit ? await trackReveal(db, track.name) : null;
  const rows = (await db('submissions as s')
    .join('jobs as j', 'j.id', 's.job_id')
    .join('teams as t', 't.id', 's.team_id')
    .where({ 's.track': track.name, 's.split': split, 'j.state': 'done' })
    .select('s.id', 's.team_id', 't.name as team', 's.baseline_name', 's.created_at', 'j.result_json')) as Row[];

  const candidates: Candidate[] = [];
  for (const r of rows) {
    if (r.result_json === null) continue;
    const record = JSON.parse(r.result_json) as ResultRecord;
    candidates.push({
      id: r.id,
      team: r.baseline_name ?? r.team,
      teamId: r.team_id,
      baseline: r.baseline_name !== null,
      baselineName: r.baseline_name,
      score: record.score.value,
      qualified: record.score.qualified,
      submittedAt: r.created_at,
      record,
    });
  }
  const best = bestPerTeam(candidates);
  const everyoneSees = !hiddenSplit || reveal !== null || viewer.kind === 'admin';
  const visible = everyoneSees ? best : best.filter((c) => c.baseline || (viewer.kind === 'team' && c.teamId === viewer.teamId));
  const metric = primaryMetric(track);
  const front = paretoFront(
    visible.flatMap((c) => {
      const accuracy = c.record.accuracy[metric];
      return accuracy === undefined || c.record.latency === null ? [] : [{ id: c.id, latencyMs: c.record.latency.p50, accuracy }];
    }),
  );
  const complete = visible.length === best.length;
  return {
    track: track.name,
    title: track.title,
    split,
    hiddenSplit,
    revealedAt: reveal === null ? null : new Date(reveal.revealedAt).toISOString(),
    metric,
    formula: `${track.score.formula}@${track.score.version ?? 'latest'}`,
    complete,
    withheld: best.length - visible.length,
    entries: rankEntries(visible).map(({ entry, rank }) => toEntry(entry, complete ? rank : null, metric, front.has(entry.id))),
  };
}

function toEntry(c: Candidate, rank: number | null, metric: string, pareto: boolean): LeaderboardEntry {
  const r = c.record;
  return {
    rank,
    team: c.baseline ? 'baseline' : c.team,
    baseline: c.baselineName,
    submission: c.id,
    accuracy: r.accuracy[metric] ?? null,
    metrics: r.accuracy,
    latency: r.latency === null ? null : { unit: 'ms', p50: r.latency.p50, ci95: r.latency.ci95, count: r.latency.count },
    energy: r.energy === null ? null : { joules: r.energy.joules, avgWatts: r.energy.avgWatts, source: r.energy.source },
    energyNote: r.energy === null ? (r.energyNote ?? null) : null,
    score: r.score.value,
    qualified: r.score.qualified,
    reason: r.score.reason ?? null,
    formula: `${r.score.formula}@${r.score.version}`,
    device: r.target.device,
    pareto,
    submittedAt: new Date(c.submittedAt).toISOString(),
    finishedAt: r.finishedAt,
  };
}
