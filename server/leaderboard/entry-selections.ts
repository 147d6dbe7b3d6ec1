/**
 * The `entry_selections` rows (migration 0010): the submission a team picked as its entry on a track whose
 * leaderboard says `entry: "selected"` (EvalAI's "select one"; docs/leaderboard.md). The one place that reads
 * and writes them. One row per team and track: selecting again replaces the choice.
 */
import { getJob } from '../queue/index.js';
import { LpcvError } from '../../errors/lpcv-error.js';
import { autoRevealedAt } from '../../harness/competitions/phase-clock.js';
import type { Track } from '../../harness/tracks/track.js';
import { submissionSplit } from '../../harness/tracks/split-policy.js';
import { readPhases } from '../competitions/competitions-table.js';
import type { Db } from '../db/index.js';
import { trackReveal } from './track-reveals.js';

export interface EntrySelection {
  readonly teamId: number;
  readonly track: string;
  readonly submissionId: string;
  /** Epoch ms. */
  readonly selectedAt: number;
  /** Who selected it, e.g. "team (api)". */
  readonly selectedBy: string;
}

export interface SelectEntryArgs {
  readonly teamId: number;
  readonly track: Track;
  readonly submissionId: string;
  readonly by: string;
}

interface SubmissionRow {
  team_id: number;
  track: string;
  baseline_name: string | null;
  job_id: number;
}

/**
 * Makes the submission the team's entry on the track. Refused: a track that does not take selections, or whose
 * hidden results are revealed (a team could then pick its entry by everyone's hidden scores: selections close at
 * the reveal, by an admin or by a phase's automatic one); a submission that is not the team's (unknown, as for
 * GET /api/submissions/:id: another team's existence is not its business), is on another track, is a baseline,
 * or failed (it will never have a result to stand on the board).
 */
export async function selectEntry(db: Db, args: SelectEntryArgs, now: number): Promise<EntrySelection> {
  const { teamId, track, submissionId } = args;
  if (track.leaderboard?.entry !== 'selected')
    throw new LpcvError(
      'LPCV_E_ENTRY_SELECTION',
      `track ${track.name} ranks each team's ${track.leaderboard?.entry ?? 'best'} entry: it takes no selected entry (leaderboard.entry is not "selected")`,
    );
  await refuseAfterReveal(db, track, now);
  const row = (await db('submissions').where('id', submissionId).first('team_id', 'track', 'baseline_name', 'job_id')) as SubmissionRow | undefined;
  if (row === undefined || Number(row.team_id) !== teamId)
    throw new LpcvError('LPCV_E_SUBMISSION_UNKNOWN', `no submission ${JSON.stringify(submissionId)} for this team`);
  if (row.baseline_name !== null)
    throw new LpcvError('LPCV_E_FORBIDDEN', `submission ${submissionId} is the baseline ${row.baseline_name}: baselines select nothing`);
  if (row.track !== track.name) throw new LpcvError('LPCV_E_BAD_REQUEST', `submission ${submissionId} is on track ${row.track}, not ${track.name}`);
  if ((await getJob(db, row.job_id))?.state === 'failed')
    throw new LpcvError('LPCV_E_BAD_REQUEST', `submission ${submissionId} failed: it has no result to stand on the leaderboard`);
  const selection: EntrySelection = { teamId, track: track.name, submissionId, selectedAt: now, selectedBy: args.by };
  await db('entry_selections')
    .insert({ team_id: teamId, track: track.name, submission_id: submissionId, selected_at: now, selected_by: args.by })
    .onConflict(['team_id', 'track'])
    .merge(['submission_id', 'selected_at', 'selected_by']);
  return selection;
}

async function refuseAfterReveal(db: Db, track: Track, now: number): Promise<void> {
  if (track.splits[submissionSplit(track)]?.visibility !== 'hidden') return;
  const revealed = (await trackReveal(db, track.name)) !== null || autoRevealedAt(await readPhases(db), track.name, now) !== null;
  if (revealed) throw new LpcvError('LPCV_E_ENTRY_SELECTION', `track ${track.name}'s results are revealed: selections closed with the reveal`);
}

/** Each team's selected submission on the track: team id -> submission id. */
export async function selectedEntries(db: Db, track: string): Promise<Map<number, string>> {
  const rows = (await db('entry_selections').where('track', track).select('team_id', 'submission_id')) as Array<{ team_id: number; submission_id: string }>;
  return new Map(rows.map((r) => [Number(r.team_id), r.submission_id]));
}

/** The team's selection on the track, or null. */
export async function selectedEntry(db: Db, teamId: number, track: string): Promise<EntrySelection | null> {
  const row = (await db('entry_selections').where({ team_id: teamId, track }).first()) as
    { team_id: number; track: string; submission_id: string; selected_at: number | string; selected_by: string } | undefined;
  if (row === undefined) return null;
  return { teamId: Number(row.team_id), track: row.track, submissionId: row.submission_id, selectedAt: Number(row.selected_at), selectedBy: row.selected_by };
}
