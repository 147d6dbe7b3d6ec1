/**
 * Drains the webhook outbox (webhook-outbox.ts): polls for due deliveries, signs and POSTs each one, and
 * records the answer. A receiver that is down, slow or failing never holds anything else up:
 *
 * - sends run in a p-queue of `concurrency` slots, each bounded by `timeoutMs` (an AbortSignal that covers
 *   the connection, the answer and its body), so a hanging receiver occupies one slot for at most that long;
 * - the poll never waits for sends: it claims only as many rows as there are free slots, then returns, so a
 *   claim is sent at once and `claimMs` only has to outlast one send;
 * - a receiver's failure becomes a retry with backoff in the database, not a wait here, and is never thrown
 *   at anyone (errors of the poll itself, such as a database outage, go to `logError`; polling goes on).
 *
 * Secrets are looked up by URL in the configured subscribers at send time: they are never stored, and a row
 * whose URL is no longer configured is marked dead rather than sent unsigned.
 */
import type { Knex } from 'knex';
import PQueue from 'p-queue';
import { LpcvError } from '../../errors/lpcv-error.js';
import type { Db } from '../db/index.js';
import { DEFAULT_BACKOFF, type BackoffPolicy } from '../queue/backoff.js';
import type { WebhookEvent, WebhookSubscriber } from './webhook-events.js';
import { claimDueDeliveries, enqueueWebhookEvent, markDead, markDelivered, markFailed, type DeliveryFailure, type WebhookDelivery } from './webhook-outbox.js';
import type { Mailer } from './mailer.js';
import { MAILTO, outcomeMail } from './outcome-mail.js';
import { DELIVERY_HEADER, EVENT_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, signWebhook } from './webhook-signature.js';

export const DEFAULT_WEBHOOK_CONCURRENCY = 4;
export const DEFAULT_WEBHOOK_POLL_MS = 1000;
export const DEFAULT_WEBHOOK_TIMEOUT_MS = 10_000;
/** Beyond the send's own timeout, room for recording its result before another process may take the row. */
const CLAIM_MARGIN_MS = 60_000;
/** How much of a failing receiver's answer is read for the delivery log (the row keeps 500 characters of it). */
const ERROR_BODY_BYTES = 1024;

export interface WebhookDelivererOptions {
  readonly db: Db;
  readonly subscribers: readonly WebhookSubscriber[];
  /** The clock (epoch ms): for claims, backoff and the signed timestamp. Tests move it instead of sleeping. */
  readonly now: () => number;
  /** Sends at once (default 4). */
  readonly concurrency?: number;
  /** Time between polls of the outbox (default 1000 ms). */
  readonly pollMs?: number;
  /** One send, from connecting to the end of the answer (default 10,000 ms). */
  readonly timeoutMs?: number;
  /** How long a claimed row is held (default timeoutMs + 60 s); must exceed timeoutMs. */
  readonly claimMs?: number;
  readonly backoff?: BackoffPolicy;
  /** Attempts of deliveries enqueued through this deliverer (default DEFAULT_WEBHOOK_MAX_ATTEMPTS). */
  readonly maxAttempts?: number;
  /** Default: the global fetch. */
  readonly fetch?: typeof fetch;
  /** Unexpected errors (the database down during a poll); default: stderr. Receivers' failures are not errors here. */
  readonly logError?: (error: unknown, where: string) => void;
  /** Called with the row as recorded after every attempt (delivered, queued for a retry, or dead). */
  readonly afterAttempt?: (delivery: WebhookDelivery) => void;
  /**
   * Sends the outbox's e-mail rows (`mailto:` URLs, enqueueMail): the same durable rows, retries and log as
   * the webhooks'. Without one, such rows are dead at once.
   */
  readonly mailer?: Mailer;
}

const stderrLog = (error: unknown, where: string): void => {
  const text = error instanceof Error ? (error.stack ?? error.message) : String(error);
  process.stderr.write(`lpcv webhooks: ${where}: ${text}\n`);
};

function positiveInt(name: string, value: number): number {
  if (!(Number.isInteger(value) && value >= 1)) throw new LpcvError('LPCV_E_USAGE', `webhook deliverer: ${name} must be a whole number >= 1, not ${value}`);
  return value;
}

/** URL -> secret. One URL with two different secrets cannot be signed for both: refused at start-up. */
function secretsByUrl(subscribers: readonly WebhookSubscriber[]): Map<string, string> {
  const secrets = new Map<string, string>();
  for (const s of subscribers) {
    const known = secrets.get(s.url);
    if (known !== undefined && known !== s.secret)
      throw new LpcvError('LPCV_E_USAGE', `webhook subscribers: ${s.url} is configured twice with different secrets; give it one secret`);
    secrets.set(s.url, s.secret);
  }
  return secrets;
}

/** A failed send in a line: the cause of fetch's generic "fetch failed" is what says what happened. */
function describeSendError(e: unknown, timeoutMs: number): string {
  if (e instanceof Error && e.name === 'TimeoutError') return `no answer within ${timeoutMs} ms`;
  if (!(e instanceof Error)) return String(e);
  const cause = e.cause instanceof Error ? `: ${e.cause.message}` : '';
  return `${e.message}${cause}`;
}

/** The start of a response body as text, without reading a receiver's endless answer to its end. */
async function readStart(res: Response, maxBytes: number): Promise<string> {
  if (res.body === null) return '';
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < maxBytes) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.byteLength;
    }
  } finally {
    await reader.cancel().catch(() => {});
  }
  return Buffer.concat(chunks).subarray(0, maxBytes).toString('utf8').trim();
}

type SendResult = { readonly ok: true; readonly status: number } | ({ readonly ok: false } & DeliveryFailure);

export class WebhookDeliverer {
  readonly concurrency: number;
  readonly pollMs: number;
  readonly timeoutMs: number;
  readonly claimMs: number;
  private readonly db: Db;
  private readonly subscribers: readonly WebhookSubscriber[];
  private readonly secrets: Map<string, string>;
  private readonly now: () => number;
  private readonly backoff: BackoffPolicy;
  private readonly maxAttempts: number | undefined;
  private readonly fetch: typeof fetch;
  private readonly logError: (error: unknown, where: string) => void;
  private readonly afterAttempt: ((delivery: WebhookDelivery) => void) | undefined;
  private readonly mailer: Mailer | undefined;
  private readonly queue: PQueue;
  private running = false;
  private timer: NodeJS.Timeout | undefined;
  private polling: Promise<void> = Promise.resolve();

  constructor(o: WebhookDelivererOptions) {
    this.db = o.db;
    this.subscribers = o.subscribers;
    this.secrets = secretsByUrl(o.subscribers);
    this.now = o.now;
    this.concurrency = positiveInt('concurrency', o.concurrency ?? DEFAULT_WEBHOOK_CONCURRENCY);
    this.pollMs = positiveInt('pollMs', o.pollMs ?? DEFAULT_WEBHOOK_POLL_MS);
    this.timeoutMs = positiveInt('timeoutMs', o.timeoutMs ?? DEFAULT_WEBHOOK_TIMEOUT_MS);
    this.claimMs = positiveInt('claimMs', o.claimMs ?? this.timeoutMs + CLAIM_MARGIN_MS);
    // A claim that lapses while its send may still be running would let another process send the row too.
    if (this.claimMs <= this.timeoutMs)
      throw new LpcvError('LPCV_E_USAGE', `webhook deliverer: claimMs (${this.claimMs}) must exceed timeoutMs (${this.timeoutMs})`);
    this.backoff = o.backoff ?? DEFAULT_BACKOFF;
    this.maxAttempts = o.maxAttempts === undefined ? undefined : positiveInt('maxAttempts', o.maxAttempts);
    this.fetch = o.fetch ?? globalThis.fetch;
    this.logError = o.logError ?? stderrLog;
    this.afterAttempt = o.afterAttempt;
    this.mailer = o.mailer;
    this.queue = new PQueue({ concurrency: this.concurrency });
  }

  /**
   * Queues an event for its subscribers (see enqueueWebhookEvent); pass the caller's transaction as `dbOrTx`
   * to commit the notification with the change it reports. Sent by the next poll.
   */
  enqueue(event: WebhookEvent, dbOrTx: Knex = this.db): Promise<number> {
    return enqueueWebhookEvent(dbOrTx, this.subscribers, event, this.now(), this.maxAttempts === undefined ? {} : { maxAttempts: this.maxAttempts });
  }

  /**
   * Queues an event as e-mail to each address (one `mailto:` row each, sent by the mailer; docs/webhooks.md,
   * "E-mail"). Like enqueue: idempotent per event and address, and inside the caller's transaction when given.
   */
  enqueueMail(event: WebhookEvent, addresses: readonly string[], dbOrTx: Knex = this.db): Promise<number> {
    const recipients = addresses.map((a) => ({ url: `${MAILTO}${a}`, secret: '', events: [event.name] }));
    return enqueueWebhookEvent(dbOrTx, recipients, event, this.now(), this.maxAttempts === undefined ? {} : { maxAttempts: this.maxAttempts });
  }

  /** Polls every pollMs from now on, until stop(). */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.schedule(0);
  }

  /** Stops polling and waits for the sends already started (each ends within timeoutMs). */
  async stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.polling;
    await this.queue.onIdle();
  }

  /** One pass: claims the due deliveries that fit the free slots and waits for their sends. Returns how many. */
  async deliverDue(): Promise<number> {
    const sends = await this.claimAndSend();
    await Promise.all(sends);
    return sends.length;
  }

  private schedule(delayMs: number): void {
    if (!this.running) return;
    this.timer = setTimeout(() => {
      this.polling = this.claimAndSend()
        .then(
          () => {},
          (e: unknown) => this.logError(e, 'polling the webhook outbox'),
        )
        .finally(() => this.schedule(this.pollMs));
    }, delayMs);
    // The deliverer never keeps a process alive on its own: the server (or the test) decides when to exit.
    this.timer.unref();
  }

  /** Claims rows for the free slots only, so that every claimed row starts sending at once. */
  private async claimAndSend(): Promise<Promise<void>[]> {
    const free = this.concurrency - this.queue.pending - this.queue.size;
    if (free <= 0) return [];
    const rows = await claimDueDeliveries(this.db, this.now(), free, this.claimMs);
    return rows.map((row) => this.queue.add(() => this.deliver(row)));
  }

  /** Sends one delivery and records the outcome. Never rejects: a failure to record goes to logError. */
  private async deliver(row: WebhookDelivery): Promise<void> {
    try {
      if (row.url.startsWith(MAILTO)) {
        const mailed = this.mailer === undefined ? null : await this.record(row, await this.mail(row, this.mailer));
        const recorded = mailed ?? (await markDead(this.db, row.id, 'no SMTP is configured on this server: not sent', this.now()));
        if (recorded !== null) this.afterAttempt?.(recorded);
        return;
      }
      const secret = this.secrets.get(row.url);
      const recorded =
        secret === undefined
          ? await markDead(this.db, row.id, `no webhook subscriber is configured for ${row.url} any more: nothing to sign with, not sent`, this.now())
          : await this.record(row, await this.send(row, secret));
      if (recorded !== null) this.afterAttempt?.(recorded);
    } catch (e) {
      this.logError(e, `recording webhook delivery ${row.id} (${row.eventId} to ${row.url})`);
    }
  }

  private record(row: WebhookDelivery, result: SendResult): Promise<WebhookDelivery | null> {
    return result.ok ? markDelivered(this.db, row.id, result.status, this.now()) : markFailed(this.db, row.id, result, this.now(), this.backoff);
  }

  /** An e-mail row: the event told as a message (outcomeMail), bounded by the same timeout as a POST. */
  private async mail(row: WebhookDelivery, mailer: Mailer): Promise<SendResult> {
    let timer: NodeJS.Timeout | undefined;
    try {
      const message = { to: row.url.slice(MAILTO.length), ...outcomeMail(row.body) };
      const timeout = new Promise<never>((_resolve, reject) => {
        timer = setTimeout(() => reject(new Error(`the SMTP server did not take the message within ${this.timeoutMs} ms`)), this.timeoutMs);
      });
      await Promise.race([mailer.send(message), timeout]);
      return { ok: true, status: 250 };
    } catch (e) {
      return { ok: false, status: null, error: describeSendError(e, this.timeoutMs) };
    } finally {
      clearTimeout(timer);
    }
  }

  private async send(row: WebhookDelivery, secret: string): Promise<SendResult> {
    const timestamp = Math.floor(this.now() / 1000);
    try {
      const res = await this.fetch(row.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'lpcv-harness-webhooks',
          [EVENT_HEADER]: row.event,
          [DELIVERY_HEADER]: row.eventId,
          [TIMESTAMP_HEADER]: String(timestamp),
          [SIGNATURE_HEADER]: signWebhook(secret, timestamp, row.body),
        },
        body: row.body,
        // A redirect is a failure, not followed: the signed request goes to the configured URL only.
        redirect: 'manual',
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      if (res.status >= 200 && res.status < 300) {
        await res.body?.cancel().catch(() => {});
        return { ok: true, status: res.status };
      }
      const text = await readStart(res, ERROR_BODY_BYTES).catch(() => '');
      return { ok: false, status: res.status, error: `HTTP ${res.status}${text === '' ? '' : `: ${text}`}` };
    } catch (e) {
      return { ok: false, status: null, error: describeSendError(e, this.timeoutMs) };
    }
  }
}
