/**
 * Webhook notifications' behavioural contract, run unchanged on every database (webhooks.sqlite.test.ts,
 * webhooks.postgres.test.ts): the outbox, the deliverer against real HTTP receivers on 127.0.0.1, and the
 * admin delivery log.
 *
 * Time: each test has its own clock (`testClock`), one day earlier than the previous test's. Every read of
 * the outbox is by time (due = run_after <= now), so rows an earlier test left queued are never due in a later
 * one, and the tests share one database without cleaning up (a failed run keeps everything to inspect).
 * Retries are reached by moving the clock, never by sleeping; the one real wait is a 500 ms send timeout.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { describe, expect, it } from 'vitest';
import { ADMIN_TOKEN_ENV, adminTokenFromEnv, createTeam } from '../../auth/index.js';
import { withWriteTransaction, type Db } from '../../db/index.js';
import type { TestDatabase } from '../../db/testing/databases.js';
import { useTestDatabase } from '../../db/testing/suite-hooks.js';
import { jsonErrorHandler } from '../../http/error-handler.js';
import { webhookAdminRoutes } from '../../http/webhook-admin-routes.js';
import type { BackoffPolicy } from '../../queue/backoff.js';
import {
  claimDueDeliveries,
  enqueueWebhookEvent,
  listWebhookDeliveries,
  markFailed,
  verifyWebhook,
  WebhookDeliverer,
  type WebhookDelivererOptions,
  type WebhookDelivery,
  type WebhookEvent,
  type WebhookEventName,
  type WebhookSubscriber,
} from '../index.js';

const T0 = 1_800_000_000_000;
const DAY_MS = 24 * 60 * 60 * 1000;
/** Exact delays: the first retry is due 1 s after the failure, the second 2 s after. */
const NO_JITTER: BackoffPolicy = { baseMs: 1000, capMs: 60_000, jitter: 0, random: () => 0 };
const ADMIN_TOKEN = 'webhooks-test-admin-token-0123456789abcdef';

let days = 0;
let events = 0;

/** A clock of its own for one test (see the file's comment). */
function testClock(): { t: number; readonly now: () => number } {
  const clock = { t: T0 - ++days * DAY_MS, now: () => clock.t };
  return clock;
}

function submissionDone(at: number, data: Record<string, unknown> = {}): WebhookEvent {
  const submissionId = `sub-${++events}`;
  return { id: `submission.done:${submissionId}`, name: 'submission.done', at, data: { submissionId, track: 'fashion-mnist', ...data } };
}

function subscriber(url: string, events: readonly WebhookEventName[] = ['submission.done']): WebhookSubscriber {
  return { url, secret: `secret-${randomBytes(8).toString('hex')}`, events };
}

// ---------------------------------------------------------------------------------------------------------
// Real receivers

interface ReceivedRequest {
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
}

/** What a receiver does with its n-th request (0-based): answer with a status, or never answer. */
type Answer = number | 'hang';

interface Receiver {
  readonly url: string;
  readonly requests: ReceivedRequest[];
  /** Resolves once `count` requests have arrived. */
  received(count: number): Promise<void>;
  close(): Promise<void>;
}

async function startReceiver(answer: (n: number) => Answer): Promise<Receiver> {
  const requests: ReceivedRequest[] = [];
  const waiters: Array<{ count: number; resolve: () => void }> = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const n = requests.length;
      requests.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      for (const w of waiters.filter((w) => requests.length >= w.count)) w.resolve();
      const a = answer(n);
      if (a === 'hang') return; // keeps the connection open until the sender gives up or close()
      res.writeHead(a, { 'content-type': 'text/plain' }).end(a >= 300 ? `receiver says no (${a})` : 'ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/lpcv`,
    requests,
    received: (count) => (requests.length >= count ? Promise.resolve() : new Promise((resolve) => waiters.push({ count, resolve }))),
    close: () => closeServer(server),
  };
}

async function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve())));
}

/** A URL where nothing listens: a port just released. */
async function closedPortUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await closeServer(server);
  return `http://127.0.0.1:${port}/hooks/lpcv`;
}

// ---------------------------------------------------------------------------------------------------------

export function webhooksContract(backend: TestDatabase): void {
  describe(`webhook notifications on ${backend.name}`, () => {
    let db: Db;
    useTestDatabase(backend, { setUp: async () => void (db = await backend.open()) });

    /** This event's deliveries, by URL. */
    async function deliveriesOf(eventId: string): Promise<WebhookDelivery[]> {
      const all = await listWebhookDeliveries(db, { limit: 1000 });
      return all.filter((d) => d.eventId === eventId).sort((a, b) => a.url.localeCompare(b.url));
    }
    async function deliveryOf(eventId: string, url: string): Promise<WebhookDelivery> {
      const found = (await deliveriesOf(eventId)).find((d) => d.url === url);
      expect(found, `a delivery of ${eventId} to ${url}`).toBeDefined();
      return found!;
    }
    function deliverer(options: Omit<WebhookDelivererOptions, 'db'>): WebhookDeliverer {
      return new WebhookDeliverer({ db, backoff: NO_JITTER, logError: (e) => expect.fail(`unexpected error: ${String(e)}`), ...options });
    }

    it('enqueues one row per subscribed URL, once however often the event is enqueued, none for unsubscribed events', async () => {
      const clock = testClock();
      const a = subscriber('http://127.0.0.1:1/a', ['submission.done', 'submission.failed']);
      const b = subscriber('http://127.0.0.1:1/b', ['submission.done']);
      const c = subscriber('http://127.0.0.1:1/c', ['device.offline']);
      const event = submissionDone(clock.t);

      expect(await enqueueWebhookEvent(db, [a, b, c], event, clock.t)).toBe(2);
      expect(await enqueueWebhookEvent(db, [a, b, c], event, clock.t + 5)).toBe(0);
      const rows = await deliveriesOf(event.id);
      expect(rows.map((r) => r.url)).toEqual([a.url, b.url]);
      expect(rows[0]).toMatchObject({ event: 'submission.done', state: 'queued', attempts: 0, runAfter: clock.t, createdAt: clock.t, claimedUntil: null });
      expect(JSON.parse(rows[0]!.body)).toEqual({ id: event.id, event: 'submission.done', at: new Date(clock.t).toISOString(), data: event.data });

      const failed: WebhookEvent = { id: `submission.failed:${event.id}`, name: 'submission.failed', at: clock.t, data: {} };
      expect(await enqueueWebhookEvent(db, [b, c], failed, clock.t)).toBe(0);
      expect(await deliveriesOf(failed.id)).toEqual([]);
    });

    it("enqueues inside the caller's transaction: rolled back with it, committed with it", async () => {
      const clock = testClock();
      const a = subscriber('http://127.0.0.1:1/tx');
      const rolledBack = submissionDone(clock.t);
      await expect(
        withWriteTransaction(db, async (tx) => {
          expect(await enqueueWebhookEvent(tx, [a], rolledBack, clock.t)).toBe(1);
          throw new Error('the change that the event reports failed');
        }),
      ).rejects.toThrow('the change that the event reports failed');
      expect(await deliveriesOf(rolledBack.id)).toEqual([]);

      // A plain knex transaction works too.
      const committed = submissionDone(clock.t);
      await db.transaction((trx) => enqueueWebhookEvent(trx, [a], committed, clock.t));
      expect(await deliveriesOf(committed.id)).toHaveLength(1);
    });

    it('sends a signed submission.done that verifies with the subscriber secret', async () => {
      const clock = testClock();
      const receiver = await startReceiver(() => 200);
      try {
        const sub = subscriber(receiver.url);
        const d = deliverer({ subscribers: [sub], now: clock.now });
        const event = submissionDone(clock.t - 2000, { score: 0.91 });
        expect(await d.enqueue(event)).toBe(1);
        clock.t += 10;
        expect(await d.deliverDue()).toBe(1);

        expect(receiver.requests).toHaveLength(1);
        const { headers, body } = receiver.requests[0]!;
        expect(headers['content-type']).toBe('application/json');
        expect(headers['x-lpcv-event']).toBe('submission.done');
        expect(headers['x-lpcv-delivery']).toBe(event.id);
        expect(headers['x-lpcv-timestamp']).toBe(String(Math.floor(clock.t / 1000)));
        expect(headers['x-lpcv-signature']).toMatch(/^sha256=[0-9a-f]{64}$/);
        const signed = { timestamp: headers['x-lpcv-timestamp'] as string, signature: headers['x-lpcv-signature'] as string };
        expect(verifyWebhook(sub.secret, signed, body, Math.floor(clock.t / 1000))).toBe(true);
        expect(verifyWebhook('another-secret', signed, body, Math.floor(clock.t / 1000))).toBe(false);
        expect(JSON.parse(body)).toEqual({
          id: event.id,
          event: 'submission.done',
          at: new Date(event.at).toISOString(),
          data: { submissionId: event.data.submissionId, track: 'fashion-mnist', score: 0.91 },
        });

        expect(await deliveryOf(event.id, sub.url)).toMatchObject({ state: 'delivered', attempts: 1, lastStatus: 200, lastError: null, deliveredAt: clock.t });
        expect(await d.deliverDue()).toBe(0);
      } finally {
        await receiver.close();
      }
    });

    it('retries a receiver that answered 500 once the backoff has passed, and ends delivered after 2 attempts', async () => {
      const clock = testClock();
      const receiver = await startReceiver((n) => (n === 0 ? 500 : 200));
      try {
        const sub = subscriber(receiver.url);
        const d = deliverer({ subscribers: [sub], now: clock.now });
        const event = submissionDone(clock.t);
        await d.enqueue(event);

        expect(await d.deliverDue()).toBe(1);
        const failed = await deliveryOf(event.id, sub.url);
        expect(failed).toMatchObject({ state: 'queued', attempts: 1, lastStatus: 500, runAfter: clock.t + 1000, claimedUntil: null });
        expect(failed.lastError).toBe('HTTP 500: receiver says no (500)');

        clock.t += 999;
        expect(await d.deliverDue(), 'not due before the backoff has passed').toBe(0);
        clock.t += 1;
        expect(await d.deliverDue()).toBe(1);
        expect(await deliveryOf(event.id, sub.url)).toMatchObject({ state: 'delivered', attempts: 2, lastStatus: 200, lastError: null, deliveredAt: clock.t });
        expect(receiver.requests.map((r) => r.headers['x-lpcv-delivery'])).toEqual([event.id, event.id]);
      } finally {
        await receiver.close();
      }
    });

    it('delivers to a healthy receiver while another hangs and a third is down, in the same pass', async () => {
      const clock = testClock();
      const healthy = await startReceiver(() => 204);
      const hanging = await startReceiver(() => 'hang');
      const downUrl = await closedPortUrl();
      try {
        const subs = [subscriber(healthy.url), subscriber(hanging.url), subscriber(downUrl)];
        let healthyDelivered: (d: WebhookDelivery) => void = () => {};
        const healthyDone = new Promise<WebhookDelivery>((resolve) => (healthyDelivered = resolve));
        const d = deliverer({
          subscribers: subs,
          now: clock.now,
          timeoutMs: 500,
          afterAttempt: (row) => row.url === healthy.url && healthyDelivered(row),
        });
        const event = submissionDone(clock.t);
        expect(await d.enqueue(event)).toBe(3);

        const pass = d.deliverDue();
        const [delivered] = await Promise.all([healthyDone, hanging.received(1)]);
        expect(delivered).toMatchObject({ state: 'delivered', lastStatus: 204 });
        // The hanging receiver has the request and has not answered: its row is still claimed, unrecorded.
        expect(await deliveryOf(event.id, hanging.url)).toMatchObject({ state: 'queued', attempts: 0, lastError: null, claimedUntil: clock.t + d.claimMs });

        expect(await pass).toBe(3);
        expect(await deliveryOf(event.id, hanging.url)).toMatchObject({
          state: 'queued',
          attempts: 1,
          lastStatus: null,
          lastError: 'no answer within 500 ms',
          runAfter: clock.t + 1000,
        });
        const down = await deliveryOf(event.id, downUrl);
        expect(down).toMatchObject({ state: 'queued', attempts: 1, lastStatus: null, runAfter: clock.t + 1000 });
        expect(down.lastError).toMatch(/ECONNREFUSED/);
      } finally {
        await healthy.close();
        await hanging.close();
      }
    });

    it('marks a delivery dead after max attempts, and never sends it again', async () => {
      const clock = testClock();
      const receiver = await startReceiver(() => 503);
      try {
        const sub = subscriber(receiver.url);
        const d = deliverer({ subscribers: [sub], now: clock.now, maxAttempts: 3 });
        const event = submissionDone(clock.t);
        await d.enqueue(event);

        expect(await d.deliverDue()).toBe(1);
        clock.t += 1000;
        expect(await d.deliverDue()).toBe(1);
        expect(await deliveryOf(event.id, sub.url)).toMatchObject({ state: 'queued', attempts: 2, runAfter: clock.t + 2000 });
        clock.t += 2000;
        expect(await d.deliverDue()).toBe(1);
        expect(await deliveryOf(event.id, sub.url)).toMatchObject({ state: 'dead', attempts: 3, maxAttempts: 3, lastStatus: 503, deliveredAt: null });

        clock.t += DAY_MS / 2;
        expect(await d.deliverDue()).toBe(0);
        expect(receiver.requests).toHaveLength(3);
      } finally {
        await receiver.close();
      }
    });

    it('marks dead, unsent, a delivery whose URL is no longer configured', async () => {
      const clock = testClock();
      const receiver = await startReceiver(() => 200);
      try {
        const gone = subscriber(receiver.url);
        const event = submissionDone(clock.t);
        await enqueueWebhookEvent(db, [gone], event, clock.t);
        const d = deliverer({ subscribers: [subscriber('http://127.0.0.1:1/still-here')], now: clock.now });
        expect(await d.deliverDue()).toBe(1);
        const row = await deliveryOf(event.id, gone.url);
        expect(row).toMatchObject({ state: 'dead', attempts: 0, lastStatus: null });
        expect(row.lastError).toContain(`no webhook subscriber is configured for ${gone.url}`);
        expect(receiver.requests).toEqual([]);
      } finally {
        await receiver.close();
      }
    });

    it('does not claim a claimed row again until the claim lapses (a crashed sender)', async () => {
      const clock = testClock();
      const event = submissionDone(clock.t);
      await enqueueWebhookEvent(db, [subscriber('http://127.0.0.1:1/claims')], event, clock.t);
      const [first, ...rest] = await claimDueDeliveries(db, clock.t, 10, 5000);
      expect(rest).toEqual([]);
      expect(first).toMatchObject({ eventId: event.id, claimedUntil: clock.t + 5000 });
      expect(await claimDueDeliveries(db, clock.t + 5000, 10, 5000)).toEqual([]);
      const again = await claimDueDeliveries(db, clock.t + 5001, 10, 5000);
      expect(again.map((r) => r.id)).toEqual([first!.id]);
    });

    it('start() polls and delivers; stop() waits for the sends in flight', async () => {
      const clock = testClock();
      const receiver = await startReceiver(() => 200);
      try {
        const sub = subscriber(receiver.url);
        let recorded: (d: WebhookDelivery) => void = () => {};
        const done = new Promise<WebhookDelivery>((resolve) => (recorded = resolve));
        const d = deliverer({ subscribers: [sub], now: clock.now, pollMs: 10, afterAttempt: (row) => recorded(row) });
        const event = submissionDone(clock.t);
        d.start();
        await d.enqueue(event);
        expect(await done).toMatchObject({ eventId: event.id, state: 'delivered', attempts: 1 });
        await d.stop();
        expect(receiver.requests).toHaveLength(1);
      } finally {
        await receiver.close();
      }
    });

    it('GET /api/admin/webhooks/deliveries: the delivery log, newest first, for admins only', async () => {
      const clock = testClock();
      const team = await createTeam(db, `webhooks-${backend.name.toLowerCase()}`, clock.t);
      const auth = { db, key: randomBytes(32), admin: adminTokenFromEnv({ [ADMIN_TOKEN_ENV]: ADMIN_TOKEN }), now: clock.now, secureCookies: false };
      const app = express();
      app.use(webhookAdminRoutes({ db, auth, now: clock.now }));
      app.use(jsonErrorHandler((e) => expect.fail(`unexpected error: ${String(e)}`)));
      const server = await new Promise<Server>((resolve) => {
        const s = app.listen(0, '127.0.0.1', () => resolve(s));
      });
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/admin/webhooks/deliveries`;
      const get = (query: string, token?: string): Promise<Response> =>
        fetch(base + query, { headers: token === undefined ? {} : { authorization: `Bearer ${token}` } });
      try {
        const older = submissionDone(clock.t);
        const newer = submissionDone(clock.t);
        const sub = subscriber('http://127.0.0.1:1/log');
        await enqueueWebhookEvent(db, [sub], older, clock.t);
        await enqueueWebhookEvent(db, [sub], newer, clock.t + 1);
        const [claimed] = await claimDueDeliveries(db, clock.t + 1, 1, 1000);
        expect(claimed?.eventId).toBe(older.id);
        const failedAt = clock.t + 2;
        await markFailed(db, claimed!.id, { status: 502, error: 'HTTP 502: bad gateway' }, failedAt, NO_JITTER);

        expect((await get('')).status).toBe(401);
        const forbidden = await get('', team.token);
        expect(forbidden.status).toBe(403);
        expect(((await forbidden.json()) as { error: { code: string } }).error.code).toBe('LPCV_E_FORBIDDEN');
        expect((await get('?limit=0', ADMIN_TOKEN)).status).toBe(400);
        expect((await get('?limit=abc', ADMIN_TOKEN)).status).toBe(400);

        const res = await get('?limit=2', ADMIN_TOKEN);
        expect(res.status).toBe(200);
        expect(res.headers.get('cache-control')).toBe('no-store');
        const { deliveries } = (await res.json()) as { deliveries: Array<Record<string, unknown>> };
        expect(deliveries).toEqual([
          {
            id: expect.any(Number),
            eventId: newer.id,
            event: 'submission.done',
            url: sub.url,
            state: 'queued',
            attempts: 0,
            maxAttempts: 10,
            lastStatus: null,
            lastError: null,
            createdAt: new Date(clock.t + 1).toISOString(),
            deliveredAt: null,
            nextAttemptAt: new Date(clock.t + 1).toISOString(),
          },
          {
            id: claimed!.id,
            eventId: older.id,
            event: 'submission.done',
            url: sub.url,
            state: 'queued',
            attempts: 1,
            maxAttempts: 10,
            lastStatus: 502,
            lastError: 'HTTP 502: bad gateway',
            createdAt: new Date(clock.t).toISOString(),
            deliveredAt: null,
            nextAttemptAt: new Date(failedAt + 1000).toISOString(),
          },
        ]);
      } finally {
        await closeServer(server);
      }
    });
  });
}

/**
 * Two claimers on separate connections at once, `rounds` times, over `count` due rows: no row is returned
 * to both, and every row is claimed. Meaningful on PostgreSQL (row locks, SKIP LOCKED); SQLite serialises
 * writers on its one write lock.
 */
export function concurrentClaimContract(backend: TestDatabase): void {
  describe(`concurrent webhook claims on ${backend.name}`, () => {
    let first: Db;
    let second: Db;
    useTestDatabase(backend, {
      setUp: async () => {
        first = await backend.open();
        second = await backend.open();
      },
    });

    it('two concurrent claimDueDeliveries never return the same row', async () => {
      const now = T0;
      const subs = Array.from({ length: 4 }, (_, i) => subscriber(`http://127.0.0.1:1/claim-${i}`));
      for (let i = 0; i < 10; i++) await enqueueWebhookEvent(first, subs, submissionDone(now), now);

      const seen: number[] = [];
      for (;;) {
        const [a, b] = await Promise.all([claimDueDeliveries(first, now, 3, 60_000), claimDueDeliveries(second, now, 3, 60_000)]);
        if (a.length === 0 && b.length === 0) break;
        seen.push(...a.map((r) => r.id), ...b.map((r) => r.id));
      }
      expect(seen).toHaveLength(40);
      expect(new Set(seen).size).toBe(40);
    });
  });
}
