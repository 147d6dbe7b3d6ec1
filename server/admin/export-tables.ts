/**
 * The tables of the bulk export (docs/api.md, "Organizer operations"), each read in pages by its key so
 * that a table of any size is exported with bounded memory. Columns are listed, never `*`: nothing reaches
 * the archive that is not named here, so a secret column added later stays out (tokens, account
 * password hashes, e-mailed links, agents and the server's key are not exported at all). The queue's tables are read through
 * the queue's own reads (listJobs, listJobEvents), never the lease token; admin_audit through its owner.
 */
import type { Db } from '../db/index.js';
import { listJobEvents, listJobs, type Job, type JobEvent } from '../queue/index.js';
import { listAdminAudit, type AdminAuditEntry } from './admin-audit.js';

export type Cell = string | number | boolean | null;
export type ExportRow = Readonly<Record<string, Cell>>;

export interface ExportTable {
  /** The archive's file names without extension, e.g. `tables/teams`: then tables/teams.csv and tables/teams.json. */
  readonly path: string;
  readonly columns: readonly string[];
  /** The rows after `after` (null: from the start), in key order; an empty page ends the table. */
  page(after: Cell): Promise<ExportRow[]>;
  /** The paging key of a row. */
  readonly key: string;
}

/** Rows per page; results carry their raw measurement (up to megabytes each), so they come a few at a time. */
const PAGE = 500;
const RESULTS_PAGE = 20;

/** A table read directly, keyed by a unique column: only the listed columns. */
function plainTable(db: Db, table: string, columns: readonly string[], key = 'id', pageSize = PAGE): ExportTable {
  return {
    path: `tables/${table}`,
    columns,
    key,
    async page(after) {
      const query = db(table)
        .select(...columns)
        .orderBy(key)
        .limit(pageSize);
      if (after !== null) query.where(key, '>', after);
      return (await query) as ExportRow[];
    },
  };
}

const JOB_COLUMNS = [
  'id',
  'submission_id',
  'team',
  'track',
  'target_kind',
  'split',
  'artifact_format',
  'pinned_device_id',
  'state',
  'priority',
  'attempts',
  'max_attempts',
  'run_after',
  'leased_by',
  'lease_expires_at',
  'heartbeat_at',
  'created_at',
  'updated_at',
  'finished_at',
  'last_error_code',
  'last_error_message',
  'error_fault',
] as const;

const jobRow = (j: Job): ExportRow => ({
  id: j.id,
  submission_id: j.submissionId,
  team: j.team,
  track: j.track,
  target_kind: j.targetKind,
  split: j.split,
  artifact_format: j.artifactFormat,
  pinned_device_id: j.pinnedDeviceId,
  state: j.state,
  priority: j.priority,
  attempts: j.attempts,
  max_attempts: j.maxAttempts,
  run_after: j.runAfter,
  leased_by: j.leasedBy,
  lease_expires_at: j.leaseExpiresAt,
  heartbeat_at: j.heartbeatAt,
  created_at: j.createdAt,
  updated_at: j.updatedAt,
  finished_at: j.finishedAt,
  last_error_code: j.lastErrorCode,
  last_error_message: j.lastErrorMessage,
  error_fault: j.errorFault,
});

const jobEventRow = (e: JobEvent): ExportRow => ({
  id: e.id,
  job_id: e.jobId,
  at: e.at,
  from_state: e.fromState,
  to_state: e.toState,
  actor: e.actor,
  detail: e.detail === null ? null : JSON.stringify(e.detail),
});

const adminAuditRow = (e: AdminAuditEntry): ExportRow => ({ id: e.id, at: e.at, actor: e.actor, action: e.action, detail_json: JSON.stringify(e.detail) });

/** A table read through its owner's paged read, keyed by its numeric id. */
function ownedTable<T>(path: string, columns: readonly string[], read: (afterId: number) => Promise<T[]>, toRow: (t: T) => ExportRow): ExportTable {
  return { path, columns, key: 'id', page: async (after) => (await read(after === null ? 0 : Number(after))).map(toRow) };
}

/**
 * Every exported table, in the archive's order. Accounts go without their password hashes; the links e-mailed
 * to them (their token hashes) are not exported.
 */
export function exportTables(db: Db): ExportTable[] {
  const dryRunAsBoolean = (t: ExportTable): ExportTable => ({
    ...t,
    page: async (after) => (await t.page(after)).map((r) => ({ ...r, dry_run: Boolean(r.dry_run) })),
  });
  return [
    plainTable(db, 'teams', ['id', 'name', 'created_at', 'approved_at', 'disabled_at']),
    plainTable(db, 'accounts', ['id', 'email', 'verified_at', 'created_at', 'disabled_at']),
    plainTable(db, 'team_members', ['team_id', 'account_id', 'role', 'joined_at'], 'account_id'),
    plainTable(db, 'submissions', [
      'id',
      'team_id',
      'track',
      'split',
      'sha256',
      'bytes',
      'format',
      'filename',
      'description',
      'baseline_name',
      'phase',
      'round',
      'job_id',
      'public_job_id',
      'created_at',
    ]),
    ownedTable('tables/jobs', JOB_COLUMNS, (afterId) => listJobs(db, { afterId, limit: PAGE }), jobRow),
    plainTable(db, 'results', ['id', 'job_id', 'submission_id', 'record_json', 'raw_json', 'created_at'], 'id', RESULTS_PAGE),
    ownedTable(
      'tables/job_events',
      ['id', 'job_id', 'at', 'from_state', 'to_state', 'actor', 'detail'],
      (afterId) => listJobEvents(db, afterId, PAGE),
      jobEventRow,
    ),
    ownedTable('tables/admin_audit', ['id', 'at', 'actor', 'action', 'detail_json'], (afterId) => listAdminAudit(db, afterId, PAGE), adminAuditRow),
    dryRunAsBoolean(
      plainTable(db, 'rescore_audit', [
        'id',
        'track',
        'at',
        'actor',
        'old_formula',
        'old_params_json',
        'new_formula',
        'new_params_json',
        'dry_run',
        'results_total',
        'results_changed',
        'results_failed',
        'rank_diff_json',
      ]),
    ),
    plainTable(db, 'competition_audit', ['id', 'competition', 'at', 'actor', 'action', 'detail_json']),
    plainTable(db, 'competitions', ['name', 'title', 'sha256', 'applied_at', 'applied_by', 'bundle_json'], 'name'),
  ];
}

/** Every row of a table, page by page. */
export async function* tableRows(table: ExportTable): AsyncGenerator<ExportRow[]> {
  for (let after: Cell = null; ;) {
    const page = await table.page(after);
    if (page.length === 0) return;
    yield page;
    after = page[page.length - 1]![table.key] ?? null;
  }
}
