import type { Db } from '../db/index.js';
import type { JobState } from './job.js';

/** One row of the audit trail: every state change writes one, in the same transaction as the change. */
export interface JobEvent {
  readonly id: number;
  readonly jobId: number;
  readonly at: number;
  readonly fromState: JobState | null;
  readonly toState: JobState;
  /** An agent id, 'server' or 'reaper'. */
  readonly actor: string;
  readonly detail: Record<string, unknown> | null;
}

export interface NewJobEvent {
  readonly jobId: number;
  readonly fromState: JobState | null;
  readonly toState: JobState;
  readonly actor: string;
  readonly detail?: Record<string, unknown>;
}

interface JobEventRow {
  id: number;
  job_id: number;
  at: number;
  from_state: JobState | null;
  to_state: JobState;
  actor: string;
  detail: string | null;
}

/** SQLite builds a multi-row INSERT as a compound SELECT, limited to 500 terms. */
const INSERT_CHUNK = 100;

/**
 * Inside a queue transaction only (server/queue). Returns the new rows' ids; neither database promises
 * RETURNING order for a multi-row insert, so only a single event's id means anything (the lease uses it).
 */
export async function recordJobEvents(tx: Db, events: readonly NewJobEvent[], now: number): Promise<number[]> {
  const ids: number[] = [];
  for (let i = 0; i < events.length; i += INSERT_CHUNK) {
    const inserted = (await tx('job_events')
      .insert(toRows(events.slice(i, i + INSERT_CHUNK), now))
      .returning('id')) as Array<{ id: number }>;
    ids.push(...inserted.map((r) => r.id));
  }
  return ids;
}

function toRows(events: readonly NewJobEvent[], now: number): Array<Record<string, unknown>> {
  return events.map((e) => ({
    job_id: e.jobId,
    at: now,
    from_state: e.fromState,
    to_state: e.toState,
    actor: e.actor,
    detail: e.detail === undefined ? null : JSON.stringify(e.detail),
  }));
}

/** A job's history, oldest first. */
export async function getJobEvents(db: Db, jobId: number): Promise<JobEvent[]> {
  const rows = (await db('job_events').where('job_id', jobId).orderBy('id')) as JobEventRow[];
  return rows.map((r) => ({
    id: r.id,
    jobId: r.job_id,
    at: r.at,
    fromState: r.from_state,
    toState: r.to_state,
    actor: r.actor,
    detail: r.detail === null ? null : (JSON.parse(r.detail) as Record<string, unknown>),
  }));
}
