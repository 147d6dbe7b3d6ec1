/**
 * Re-scoring a track (docs/rescoring.md): every stored result's record is computed again from the raw
 * measurement the agent sent (results.raw_json) by the same code that scored it on completion
 * (parseCompletion, then scoreCompletion with the server's labels), with the new formula. No device runs
 * again. The rank changes of every board are reported and recorded in the audit log; unless it is a dry
 * run, the new records (`results.record_json`, the one result store) and the track's effective formula are
 * stored, in one transaction.
 *
 * Why from raw_json and not only the stored record's measures: the record is a summary, and a formula may
 * need a measure the summary does not carry (the formula catalog grows: wall duration, idle power); the
 * completion is everything the device reported, and scoreCompletion is the completion path itself, so a
 * re-score gives exactly the record a fresh completion would have got with that formula. The price is
 * that the split's labels are read again (seconds, not a device run).
 */
import type { Knex } from 'knex';
import { LpcvError } from '../../errors/lpcv-error.js';
import { loadLabels } from '../../harness/datasets/open-split.js';
import type { LabelSet } from '../../harness/datasets/types.js';
import type { ResultRecord } from '../../harness/result-record.js';
import type { Track } from '../../harness/tracks/track.js';
import type { ParamValue } from '../../scoring/formulas/types.js';
import { withWriteTransaction, type Db } from '../db/index.js';
import { publicLeaderboardSplit } from '../../harness/tracks/split-policy.js';
import { buildLeaderboard, effectiveFormula, formulaLabel, sameFormula, setTrackFormula, trackFileFormula, type Board } from '../leaderboard/index.js';
import { getJobs } from '../queue/index.js';
import { parseCompletion } from '../../harness/wire/index.js';
import { scoreCompletion } from '../../harness/score/score-completion.js';
import { describeMoves, rankDiff, type RankChange } from './rank-diff.js';
import { insertRescoreAudit } from './rescore-audit.js';
import { resolveRescoreFormula, type RescoreRequest } from './rescore-request.js';

export interface RescoreOptions extends RescoreRequest {
  /** Compute and report (and audit) only: nothing else is stored. */
  readonly dryRun?: boolean;
  /** Who asks: 'cli', 'admin (api)', 'admin (web)'. */
  readonly actor: string;
  readonly now: () => number;
}

export interface RescoreFailure {
  readonly submission: string;
  readonly split: string;
  readonly code: string;
  readonly message: string;
}

export interface RescoreReport {
  readonly track: string;
  readonly dryRun: boolean;
  /** The audit log row. */
  readonly auditId: number;
  /** ISO 8601. */
  readonly at: string;
  readonly actor: string;
  readonly old: { readonly formula: string; readonly params: Readonly<Record<string, ParamValue>>; readonly source: 'track-file' | 'rescore' };
  readonly new: { readonly formula: string; readonly params: Readonly<Record<string, ParamValue>>; readonly source: 'track-file' | 'rescore' };
  /** Parameters of the old formula the new one does not take. */
  readonly droppedParams: readonly string[];
  readonly results: { readonly total: number; readonly changed: number; readonly failed: number };
  readonly failures: readonly RescoreFailure[];
  /** Every entry of every board, before and after. */
  readonly changes: readonly RankChange[];
  /** One line per entry that moved. */
  readonly moves: readonly string[];
}

interface StoredRow {
  id: number;
  job_id: number;
  submission_id: string;
  record_json: string;
  /** Null: no raw measurement is kept (a record migration 0008 moved out of the job row): not re-scorable. */
  raw_json: string | null;
  /** The split the job ran on. */
  split: string;
}

interface Rescored {
  readonly row: StoredRow;
  readonly record: ResultRecord;
  readonly changed: boolean;
}

const ADMIN = { kind: 'admin' } as const;

/** The results of a submission's leaderboard jobs: its private-split and public-split ones (not server/devices' reference runs). */
function leaderboardResult(this: Knex.JoinClause): void {
  this.on('s.job_id', '=', 'r.job_id').orOn('s.public_job_id', '=', 'r.job_id');
}

/** Every stored result on the track's boards (a result exists exactly when its job is done), oldest first. */
async function storedResults(db: Db, track: Track): Promise<StoredRow[]> {
  const rows = (await db('results as r')
    .join('submissions as s', leaderboardResult)
    .where('s.track', track.name)
    .orderBy('r.id')
    .select('r.id', 'r.job_id', 'r.submission_id', 'r.record_json', 'r.raw_json', 's.split as submission_split')) as Array<
    Omit<StoredRow, 'split'> & { submission_split: string }
  >;
  // The job's own split (a public-split job's is not its submission's); null before migration 0007.
  const splitOf = new Map(
    (
      await getJobs(
        db,
        rows.map((r) => Number(r.job_id)),
      )
    ).map((j) => [j.id, j.split]),
  );
  return rows.map(({ submission_split, ...r }) => ({
    ...r,
    id: Number(r.id),
    job_id: Number(r.job_id),
    split: splitOf.get(Number(r.job_id)) ?? submission_split,
  }));
}

type Rescorable = StoredRow & { raw_json: string };
const withRaw = (rows: readonly StoredRow[]): Rescorable[] => rows.filter((r): r is Rescorable => r.raw_json !== null);

/** Results of the track without a raw measurement (none on a server that completed every job through the agent API). */
function withoutRaw(rows: readonly StoredRow[]): RescoreFailure[] {
  return rows
    .filter((r) => r.raw_json === null)
    .map((r) => ({
      submission: r.submission_id,
      split: r.split,
      code: 'LPCV_E_RESCORE_FAILED',
      message: 'no raw measurement is stored for this result (results.raw_json): it cannot be re-scored without running the device again',
    }));
}

const scoreKey = (s: ResultRecord['score']): string => JSON.stringify([s.formula, s.version, s.value, s.qualified, s.reason ?? null]);

async function boardsOf(db: Db, track: Track): Promise<Map<Board, Awaited<ReturnType<typeof buildLeaderboard>>>> {
  const boards = new Map<Board, Awaited<ReturnType<typeof buildLeaderboard>>>();
  boards.set('private', await buildLeaderboard(db, track, ADMIN, { board: 'private' }));
  if (publicLeaderboardSplit(track) !== null) boards.set('public', await buildLeaderboard(db, track, ADMIN, { board: 'public' }));
  return boards;
}

/** Thrown inside the transaction of a dry run, so that everything it wrote is rolled back. */
class DryRunRollback extends Error {
  constructor(readonly value: { changes: RankChange[] }) {
    super('dry run: rolled back');
  }
}

export async function rescoreTrack(db: Db, track: Track, options: RescoreOptions): Promise<RescoreReport> {
  const dryRun = options.dryRun === true;
  const current = await effectiveFormula(db, track);
  const fromFile = trackFileFormula(track);
  const { formula: next, dropped } = resolveRescoreFormula(current, fromFile, options);
  const scoringTrack: Track = { ...track, score: { formula: next.formula, version: next.version, params: { ...next.params } } };

  const labels = new Map<string, Promise<LabelSet>>();
  const labelsOf = (split: string): Promise<LabelSet> => {
    let l = labels.get(split);
    if (l === undefined) labels.set(split, (l = loadLabels(track, split)));
    return l;
  };
  const failures: RescoreFailure[] = [];
  const rescore = async (rows: readonly Rescorable[], into: Map<number, Rescored>): Promise<void> => {
    for (const row of rows) {
      try {
        const old = JSON.parse(row.record_json) as ResultRecord;
        const { completion } = parseCompletion(JSON.parse(row.raw_json) as unknown, 'LPCV_E_RESCORE_FAILED');
        const record = await scoreCompletion({ track: scoringTrack, split: row.split, model: old.model, completion, labels: await labelsOf(row.split) });
        into.set(row.id, { row, record, changed: scoreKey(record.score) !== scoreKey(old.score) });
      } catch (e) {
        if (!(e instanceof LpcvError)) throw e;
        failures.push({ submission: row.submission_id, split: row.split, code: e.code, message: e.message });
      }
    }
  };

  // The expensive part (labels, metrics) outside the write transaction: on SQLite it would block every writer.
  const done = new Map<number, Rescored>();
  await rescore(withRaw(await storedResults(db, track)), done);
  const at = options.now();

  const changedCount = (): number => [...done.values()].filter((r) => r.changed).length;
  const write = async (tx: Db): Promise<{ changes: RankChange[]; auditId: number }> => {
    const before = await boardsOf(tx, track);
    // Results that completed meanwhile (scored with the formula before this one) are re-scored too.
    const stored = await storedResults(tx, track);
    await rescore(
      withRaw(stored).filter((r) => !done.has(r.id) && !failures.some((f) => f.submission === r.submission_id)),
      done,
    );
    failures.push(...withoutRaw(stored));
    if (failures.length > 0 && !dryRun) {
      const list = failures
        .slice(0, 5)
        .map((f) => `${f.submission} (${f.split}): ${f.code} ${f.message}`)
        .join('; ');
      throw new LpcvError(
        'LPCV_E_RESCORE_FAILED',
        `${failures.length} stored result(s) of track ${track.name} could not be re-scored, so nothing was changed: ${list}${failures.length > 5 ? '; ...' : ''}`,
      );
    }
    // The one result store: the leaderboard, the status pages and the submissions API all read it.
    for (const { row, record } of done.values())
      await tx('results')
        .where('id', row.id)
        .update({ record_json: JSON.stringify(record) });
    await setTrackFormula(tx, track, next, options.actor, at);
    const after = await boardsOf(tx, track);
    const changes = [...before.keys()].flatMap((b) => rankDiff(before.get(b)!, after.get(b)!));
    if (dryRun) throw new DryRunRollback({ changes });
    return { changes, auditId: await insertRescoreAudit(tx, audit(changes)) };
  };

  const audit = (changes: RankChange[]): Parameters<typeof insertRescoreAudit>[1] => ({
    track: track.name,
    at,
    actor: options.actor,
    oldFormula: formulaLabel(current),
    oldParams: { ...current.params },
    newFormula: formulaLabel(next),
    newParams: { ...next.params },
    dryRun,
    resultsTotal: done.size + failures.length,
    resultsChanged: changedCount(),
    resultsFailed: failures.length,
    rankDiff: changes,
  });

  let outcome: { changes: RankChange[]; auditId: number };
  try {
    outcome = await withWriteTransaction(db, write);
  } catch (e) {
    if (!(e instanceof DryRunRollback)) throw e;
    outcome = { changes: e.value.changes, auditId: await insertRescoreAudit(db, audit(e.value.changes)) };
  }
  return {
    track: track.name,
    dryRun,
    auditId: outcome.auditId,
    at: new Date(at).toISOString(),
    actor: options.actor,
    old: { formula: formulaLabel(current), params: current.params, source: current.source },
    new: { formula: formulaLabel(next), params: next.params, source: sameFormula(next, fromFile) ? 'track-file' : 'rescore' },
    droppedParams: dropped,
    results: { total: done.size + failures.length, changed: changedCount(), failed: failures.length },
    failures,
    changes: outcome.changes,
    moves: describeMoves(outcome.changes),
  };
}
