/**
 * The webhook outbox: the only code that reads or writes `webhook_deliveries` (migration 0009). One row per
 * (event, subscriber URL), written in the same transaction as whatever caused the event when the caller
 * wants that (a finished submission and its notification commit together or not at all), then drained by
 * the deliverer (webhook-deliverer.ts): claim, send, mark delivered / failed / dead.
 *
 * Times are epoch ms and passed in: nothing here reads the clock, so tests move `now` instead of sleeping.
 * Secrets are never stored: a row holds the URL; the sender looks the secret up in its configuration.
 */
import type { Knex } from 'knex';
import { lockRows, withWriteTransaction, type Db } from '../db/index.js';
import { DEFAULT_BACKOFF, retryDelayMs, type BackoffPolicy } from '../queue/backoff.js';
import type { WebhookEvent, WebhookSubscriber } from './webhook-events.js';

const TABLE = 'webhook_deliveries';

/** Sends per delivery before it is dead. With DEFAULT_BACKOFF the nine waits add up to 38-76 minutes (jitter). */
export const DEFAULT_WEBHOOK_MAX_ATTEMPTS = 10;

/** A receiver's error page or a long socket error is kept only this far: enough to see what went wrong. */
export const MAX_WEBHOOK_ERROR_CHARS = 500;

export type WebhookDeliveryState = 'queued' | 'delivered' | 'dead';

/** A delivery as the rest of the server sees it. Times are epoch ms. */
export interface WebhookDelivery {
  readonly id: number;
  /** The event's id (X-LPCV-Delivery), the same for every URL it goes to. */
  readonly eventId: string;
  /** The event's name (X-LPCV-Event). */
  readonly event: string;
  readonly url: string;
  /** The exact request body, as signed. */
  readonly body: string;
  readonly state: WebhookDeliveryState;
  /** Sends that got an answer, an error or a timeout (not a claim whose sender crashed). */
  readonly attempts: number;
  readonly maxAttempts: number;
  /** Not sent before this time (a retry's backoff). */
  readonly runAfter: number;
  /** A sender holds the row until this time; null when nobody does. */
  readonly claimedUntil: number | null;
  readonly createdAt: number;
  readonly updatedAt: number;
  readonly deliveredAt: number | null;
  /** The HTTP status of the last answer; null before any, or when the last attempt got none (refused, timed out). */
  readonly lastStatus: number | null;
  readonly lastError: string | null;
}

/** A row as the drivers return it: BIGINT may come back as a string (Number() below, whatever the driver does). */
interface DeliveryRow {
  id: number | string;
  event_id: string;
  event: string;
  url: string;
  body_json: string;
  state: WebhookDeliveryState;
  attempts: number | string;
  max_attempts: number | string;
  run_after: number | string;
  claimed_until: number | string | null;
  created_at: number | string;
  updated_at: number | string;
  delivered_at: number | string | null;
  last_status: number | string | null;
  last_error: string | null;
}

const numberOrNull = (v: number | string | null): number | null => (v === null ? null : Number(v));

function toDelivery(row: DeliveryRow): WebhookDelivery {
  return {
    id: Number(row.id),
    eventId: row.event_id,
    event: row.event,
    url: row.url,
    body: row.body_json,
    state: row.state,
    attempts: Number(row.attempts),
    maxAttempts: Number(row.max_attempts),
    runAfter: Number(row.run_after),
    claimedUntil: numberOrNull(row.claimed_until),
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
    deliveredAt: numberOrNull(row.delivered_at),
    lastStatus: numberOrNull(row.last_status),
    lastError: row.last_error,
  };
}

/** The request body of an event: what is signed and stored, byte for byte. */
export function webhookBody(event: WebhookEvent): string {
  return JSON.stringify({ id: event.id, event: event.name, at: new Date(event.at).toISOString(), data: event.data });
}

export interface EnqueueOptions {
  /** Default DEFAULT_WEBHOOK_MAX_ATTEMPTS. */
  readonly maxAttempts?: number;
}

/**
 * Queues `event` for every subscriber that asked for its name; returns the rows added. An (event id, URL)
 * already queued (or delivered, or dead) is left as it is, so enqueueing an event twice sends it once.
 * `dbOrTx` may be the caller's transaction (a knex transaction or a transaction-bound Db): the rows then
 * commit or roll back with the caller's own.
 */
export async function enqueueWebhookEvent(
  dbOrTx: Knex,
  subscribers: readonly WebhookSubscriber[],
  event: WebhookEvent,
  now: number,
  options: EnqueueOptions = {},
): Promise<number> {
  const maxAttempts = options.maxAttempts ?? DEFAULT_WEBHOOK_MAX_ATTEMPTS;
  if (!(Number.isInteger(maxAttempts) && maxAttempts >= 1)) throw new Error(`enqueueWebhookEvent: maxAttempts must be a whole number >= 1, got ${maxAttempts}`);
  const urls = [...new Set(subscribers.filter((s) => s.events.includes(event.name)).map((s) => s.url))];
  if (urls.length === 0) return 0;
  const body = webhookBody(event);
  const inserted = (await dbOrTx(TABLE)
    .insert(
      urls.map((url) => ({
        event_id: event.id,
        event: event.name,
        url,
        body_json: body,
        state: 'queued',
        attempts: 0,
        max_attempts: maxAttempts,
        run_after: now,
        claimed_until: null,
        created_at: now,
        updated_at: now,
      })),
    )
    .onConflict(['event_id', 'url'])
    .ignore()
    .returning('id')) as unknown[];
  return inserted.length;
}

/**
 * Claims up to `limit` due deliveries (queued, run_after <= now, not held by another sender) for `claimMs`,
 * oldest first, and returns them. A sender that crashes mid-send leaves its claim to lapse; the row is then
 * due again (and sent again: receivers drop repeats by X-LPCV-Delivery).
 *
 * Never twice at once: on PostgreSQL the pick locks its rows FOR UPDATE SKIP LOCKED, so a concurrent claim
 * passes over them instead of waiting and then taking the same rows; the UPDATE re-checks the claim guard
 * for a row claimed and committed meanwhile. SQLite runs the whole transaction holding the database's only
 * write lock.
 */
export async function claimDueDeliveries(db: Db, now: number, limit: number, claimMs: number): Promise<WebhookDelivery[]> {
  if (!(Number.isInteger(limit) && limit >= 0)) throw new Error(`claimDueDeliveries: limit must be a whole number >= 0, got ${limit}`);
  if (!(Number.isInteger(claimMs) && claimMs > 0)) throw new Error(`claimDueDeliveries: claimMs must be a whole number > 0, got ${claimMs}`);
  if (limit === 0) return [];
  const due = (q: Knex.QueryBuilder): Knex.QueryBuilder =>
    q
      .where('state', 'queued')
      .andWhere('run_after', '<=', now)
      .andWhere((c) => c.whereNull('claimed_until').orWhere('claimed_until', '<', now));
  return withWriteTransaction(db, async (tx) => {
    const picked = lockRows(due(tx(TABLE).select('id')).orderBy('run_after').orderBy('id').limit(limit), tx.dialect, 'skip-locked');
    const rows = (await due(tx(TABLE).whereIn('id', picked))
      .update({ claimed_until: now + claimMs, updated_at: now })
      .returning('*')) as DeliveryRow[];
    return rows.map(toDelivery).sort((a, b) => a.runAfter - b.runAfter || a.id - b.id);
  });
}

/** queued -> delivered (a 2xx answer). Null when the row was no longer queued (another sender finished it). */
export async function markDelivered(db: Db, id: number, status: number, now: number): Promise<WebhookDelivery | null> {
  const [row] = (await db(TABLE)
    .where({ id, state: 'queued' })
    .update({
      state: 'delivered',
      attempts: db.raw('attempts + 1'),
      delivered_at: now,
      last_status: status,
      last_error: null,
      claimed_until: null,
      updated_at: now,
    })
    .returning('*')) as DeliveryRow[];
  return row === undefined ? null : toDelivery(row);
}

export interface DeliveryFailure {
  /** The HTTP status of a non-2xx answer; null when there was no answer (refused, reset, timed out). */
  readonly status: number | null;
  readonly error: string;
}

/**
 * A failed send: queued again at now + backoff (the claim released), or dead once this was attempt
 * max_attempts. Null when the row was no longer queued.
 */
export async function markFailed(
  db: Db,
  id: number,
  failure: DeliveryFailure,
  now: number,
  backoff: BackoffPolicy = DEFAULT_BACKOFF,
): Promise<WebhookDelivery | null> {
  return withWriteTransaction(db, async (tx) => {
    const held = (await lockRows(tx(TABLE).select('attempts', 'max_attempts').where({ id, state: 'queued' }), tx.dialect, 'wait').first()) as
      Pick<DeliveryRow, 'attempts' | 'max_attempts'> | undefined;
    if (held === undefined) return null;
    const attempts = Number(held.attempts) + 1;
    const dead = attempts >= Number(held.max_attempts);
    const [row] = (await tx(TABLE)
      .where({ id, state: 'queued' })
      .update({
        state: dead ? 'dead' : 'queued',
        attempts,
        ...(dead ? {} : { run_after: now + retryDelayMs(attempts, backoff) }),
        last_status: failure.status,
        last_error: failure.error.slice(0, MAX_WEBHOOK_ERROR_CHARS),
        claimed_until: null,
        updated_at: now,
      })
      .returning('*')) as DeliveryRow[];
    return row === undefined ? null : toDelivery(row);
  });
}

/**
 * queued -> dead without a send, whatever attempts are left: a delivery that can never succeed (its URL is
 * no longer configured, so there is no secret to sign it with). Null when the row was no longer queued.
 */
export async function markDead(db: Db, id: number, error: string, now: number): Promise<WebhookDelivery | null> {
  const [row] = (await db(TABLE)
    .where({ id, state: 'queued' })
    .update({ state: 'dead', last_error: error.slice(0, MAX_WEBHOOK_ERROR_CHARS), claimed_until: null, updated_at: now })
    .returning('*')) as DeliveryRow[];
  return row === undefined ? null : toDelivery(row);
}

/** The latest deliveries, newest first: the admin's delivery log. */
export async function listWebhookDeliveries(db: Db, options: { readonly limit: number }): Promise<WebhookDelivery[]> {
  if (!(Number.isInteger(options.limit) && options.limit >= 1))
    throw new Error(`listWebhookDeliveries: limit must be a whole number >= 1, got ${options.limit}`);
  const rows = (await db(TABLE).select('*').orderBy('id', 'desc').limit(options.limit)) as DeliveryRow[];
  return rows.map(toDelivery);
}
