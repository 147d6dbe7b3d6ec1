/**
 * The `rescore_audit` rows (migration 0007): every re-score of a track, dry runs included, with who did it,
 * when, the formula before and after, and the rank changes. Written, never updated or deleted.
 */
import type { ParamValue } from '../../scoring/formulas/types.js';
import type { Db } from '../db/index.js';
import type { RankChange } from './rank-diff.js';

export interface RescoreAuditEntry {
  readonly id: number;
  readonly track: string;
  /** Epoch ms. */
  readonly at: number;
  /** 'cli', 'admin (api)', 'admin (web)'. */
  readonly actor: string;
  /** `name@version`. */
  readonly oldFormula: string;
  readonly oldParams: Record<string, ParamValue>;
  readonly newFormula: string;
  readonly newParams: Record<string, ParamValue>;
  readonly dryRun: boolean;
  readonly resultsTotal: number;
  readonly resultsChanged: number;
  readonly resultsFailed: number;
  readonly rankDiff: RankChange[];
}

export type NewAuditEntry = Omit<RescoreAuditEntry, 'id'>;

interface Row {
  id: number;
  track: string;
  at: number | string;
  actor: string;
  old_formula: string;
  old_params_json: string;
  new_formula: string;
  new_params_json: string;
  dry_run: boolean | number;
  results_total: number;
  results_changed: number;
  results_failed: number;
  rank_diff_json: string;
}

export async function insertRescoreAudit(db: Db, e: NewAuditEntry): Promise<number> {
  const [row] = (await db('rescore_audit')
    .insert({
      track: e.track,
      at: e.at,
      actor: e.actor,
      old_formula: e.oldFormula,
      old_params_json: JSON.stringify(e.oldParams),
      new_formula: e.newFormula,
      new_params_json: JSON.stringify(e.newParams),
      dry_run: e.dryRun,
      results_total: e.resultsTotal,
      results_changed: e.resultsChanged,
      results_failed: e.resultsFailed,
      rank_diff_json: JSON.stringify(e.rankDiff),
    })
    .returning('id')) as Array<{ id: number } | number>;
  return typeof row === 'number' ? row : Number(row!.id);
}

/** The track's re-scores, newest first. */
export async function listRescoreAudit(db: Db, track: string, limit = 50): Promise<RescoreAuditEntry[]> {
  const rows = (await db('rescore_audit').where('track', track).orderBy('id', 'desc').limit(limit)) as Row[];
  return rows.map((r) => ({
    id: Number(r.id),
    track: r.track,
    at: Number(r.at),
    actor: r.actor,
    oldFormula: r.old_formula,
    oldParams: JSON.parse(r.old_params_json) as Record<string, ParamValue>,
    newFormula: r.new_formula,
    newParams: JSON.parse(r.new_params_json) as Record<string, ParamValue>,
    dryRun: Boolean(r.dry_run),
    resultsTotal: Number(r.results_total),
    resultsChanged: Number(r.results_changed),
    resultsFailed: Number(r.results_failed),
    rankDiff: JSON.parse(r.rank_diff_json) as RankChange[],
  }));
}
