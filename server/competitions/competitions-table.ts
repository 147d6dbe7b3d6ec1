/**
 * The competition tables (migration 0009): the one place that reads and writes `competitions` and
 * `competition_audit`.
 */
import { createHash } from 'node:crypto';
import type { Competition, Phase } from '../../harness/competitions/competition.js';
import type { Db } from '../db/index.js';

export interface StoredCompetition {
  readonly competition: Competition;
  readonly sha256: string;
  readonly appliedAt: number;
  readonly appliedBy: string;
}

/** The sha256 of the competition's JSON: two applies of the same content store the same hash. */
export function competitionHash(c: Competition): string {
  return createHash('sha256').update(JSON.stringify(c)).digest('hex');
}

/** The applied competition (one per database), or null when none was applied. */
export async function readCompetition(db: Db): Promise<StoredCompetition | null> {
  const row = (await db('competitions').first()) as
    { name: string; bundle_json: string; sha256: string; applied_at: number | string; applied_by: string } | undefined;
  if (row === undefined) return null;
  return { competition: JSON.parse(row.bundle_json) as Competition, sha256: row.sha256, appliedAt: Number(row.applied_at), appliedBy: row.applied_by };
}

/** The applied competition's phases; none when no competition was applied. */
export async function readPhases(db: Db): Promise<readonly Phase[]> {
  return (await readCompetition(db))?.competition.phases ?? [];
}

/** Replaces the stored competition and its phases (inside the caller's transaction). */
export async function writeCompetition(tx: Db, c: Competition, sha256: string, now: number, actor: string): Promise<void> {
  await tx('competitions').where('name', c.name).delete();
  await tx('competitions').insert({ name: c.name, title: c.title, bundle_json: JSON.stringify(c), sha256, applied_at: now, applied_by: actor });
}

export interface CompetitionAudit {
  readonly id: number;
  readonly competition: string;
  readonly at: number;
  readonly actor: string;
  readonly action: string;
  readonly detail: unknown;
}

export async function auditCompetition(db: Db, entry: Omit<CompetitionAudit, 'id'>): Promise<void> {
  await db('competition_audit').insert({
    competition: entry.competition,
    at: entry.at,
    actor: entry.actor,
    action: entry.action,
    detail_json: JSON.stringify(entry.detail),
  });
}

export async function listCompetitionAudit(db: Db, competition: string): Promise<CompetitionAudit[]> {
  const rows = (await db('competition_audit').where('competition', competition).orderBy('id')) as Array<{
    id: number;
    competition: string;
    at: number | string;
    actor: string;
    action: string;
    detail_json: string;
  }>;
  return rows.map((r) => ({
    id: r.id,
    competition: r.competition,
    at: Number(r.at),
    actor: r.actor,
    action: r.action,
    detail: JSON.parse(r.detail_json) as unknown,
  }));
}
