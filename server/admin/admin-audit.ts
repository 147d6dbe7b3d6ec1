/**
 * The `admin_audit` rows (migration 0010): every organizer operation that changes jobs or hands data out (a
 * re-run, an export), with who, when and what it did. The one place that reads and writes the table.
 * Written, never updated or deleted.
 */
import type { Db } from '../db/index.js';

/** What the organizers did: a re-run of one submission, of the dead jobs, of a track's entries; an export. */
export type AdminAction = 'rerun-submission' | 'rerun-dead' | 'rerun-track' | 'export';

export interface AdminAuditEntry {
  readonly id: number;
  /** Epoch ms. */
  readonly at: number;
  /** 'admin (api)', 'admin (web)', 'cli'. */
  readonly actor: string;
  readonly action: AdminAction;
  readonly detail: Record<string, unknown>;
}

interface Row {
  id: number;
  at: number | string;
  actor: string;
  action: AdminAction;
  detail_json: string;
}

const toEntry = (r: Row): AdminAuditEntry => ({
  id: Number(r.id),
  at: Number(r.at),
  actor: r.actor,
  action: r.action,
  detail: JSON.parse(r.detail_json) as Record<string, unknown>,
});

/** Inside the operation's own transaction when it changes something, so that the entry exists exactly when the change does. */
export async function recordAdminAudit(db: Db, entry: Omit<AdminAuditEntry, 'id'>): Promise<number> {
  const [row] = (await db('admin_audit')
    .insert({ at: entry.at, actor: entry.actor, action: entry.action, detail_json: JSON.stringify(entry.detail) })
    .returning('id')) as Array<{ id: number } | number>;
  return typeof row === 'number' ? row : Number(row!.id);
}

/** The latest entries, newest first (the admin page). */
export async function listRecentAdminAudit(db: Db, limit: number): Promise<AdminAuditEntry[]> {
  return ((await db('admin_audit').orderBy('id', 'desc').limit(limit)) as Row[]).map(toEntry);
}

/** One page of every entry by id, oldest first (the bulk export). */
export async function listAdminAudit(db: Db, afterId: number, limit: number): Promise<AdminAuditEntry[]> {
  return ((await db('admin_audit').where('id', '>', afterId).orderBy('id').limit(limit)) as Row[]).map(toEntry);
}
