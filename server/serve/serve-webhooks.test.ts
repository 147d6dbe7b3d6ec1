/**
 * Webhooks end to end: startServer with a competition whose bundle subscribes a receiver on 127.0.0.1 (a real
 * HTTP server), a team's upload over HTTP, an agent that leases and completes it over HTTP; the receiver gets
 * one signed `submission.done` whose signature verifies with the secret from the server's environment. A
 * secret that is not set stops the start. With SMTP set (a real SMTP server here), the team's verified members
 * get the outcome by e-mail through the same outbox. Real SQLite file, real HTTP, the real clock (the
 * deliverer polls every 20 ms).
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Competition } from '../../harness/competitions/competition.js';
import { loadLabels } from '../../harness/datasets/open-split.js';
import { resolveTrack } from '../../harness/tracks/load-track.js';
import { parseLeaseAnswer } from '../../harness/wire/index.js';
import { fixtureBytes } from '../../test/testing/onnx-fixtures.js';
import { createAgent, createTeam } from '../auth/index.js';
import { useTempDir } from '../db/testing/suite-hooks.js';
import { call } from '../http/testing/test-server.js';
import { DELIVERY_HEADER, EVENT_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, verifyWebhook } from '../notify/index.js';
import { startServer, type RunningServer } from './start-server.js';
import { fakeCompletion } from '../http/testing/fake-completion.js';
import { accountById, insertAccount, markVerified } from '../accounts/accounts-table.js';
import { OPEN_REGISTRATION } from '../accounts/registration-policy.js';
import { createTeamAsCaptain, issueMemberToken, joinTeam, membershipOf } from '../accounts/team-membership.js';
import { startSmtp } from '../notify/testing/smtp-server.js';

const SECRET = 'a-secret-of-32-characters-000000';

interface Received {
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

async function receiver(): Promise<{ url: string; received: Received[]; close: () => Promise<void> }> {
  const received: Received[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => {
      received.push({ headers: req.headers, body });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/hooks/lpcv`, received, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

async function until<T>(what: string, probe: () => T | undefined): Promise<T> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Uploads a model with the team token, then leases and completes its job over HTTP as an agent would. */
async function submitAndComplete(server: RunningServer, teamToken: string): Promise<string> {
  const track = resolveTrack('fashion-mnist');
  const agent = await createAgent(server.db, `agent-${Math.random().toString(36).slice(2, 8)}`, Date.now());
  const form = new FormData();
  form.append('track', track.name);
  form.append('file', new Blob([fixtureBytes('tiny-conv.onnx')]), 'tiny-conv.onnx');
  const up = await fetch(`${server.url}/api/submissions`, { method: 'POST', body: form, headers: { authorization: `Bearer ${teamToken}` } });
  expect(up.status).toBe(201);
  const { id } = (await up.json()) as { id: string };

  const registered = await call(server, 'POST', '/api/agent/devices', agent.token, { name: 'desk-1', kind: 'desktop', capabilities: { threads: 1 } });
  const { deviceId } = (await registered.json()) as { deviceId: number };
  const lease = parseLeaseAnswer(await (await call(server, 'POST', '/api/agent/lease', agent.token, { deviceId })).json());
  expect(lease.job.submissionId).toBe(id);
  const ids = (await loadLabels(track, 'test')).ids;
  const completion = fakeCompletion(lease.job.leaseToken, ids);
  const done = await call(server, 'POST', `/api/agent/jobs/${lease.job.id}/complete`, agent.token, completion);
  expect(((await done.json()) as { status: string }).status).toBe('done');

  return id;
}

describe('webhooks from a running server', () => {
  const dir = useTempDir('lpcv-serve-webhooks-');
  const competition = (url: string): Competition => ({
    name: 'hooked',
    title: 'Hooked',
    tracks: ['fashion-mnist'],
    phases: [
      {
        name: 'open',
        title: 'Open',
        tracks: ['fashion-mnist'],
        startAt: Date.now() - 3_600_000,
        endAt: Date.now() + 3_600_000,
        board: 'private',
        boardVisible: true,
        reveal: 'manual',
        quota: { perDay: null, total: null, failed: null },
        rounds: [],
      },
    ],
    webhooks: [{ url, secretEnv: 'HOOK_SECRET', events: ['submission.done', 'submission.failed'] }],
  });

  it('sends a signed submission.done to the receiver when a submission is scored', async () => {
    const hook = await receiver();
    const track = resolveTrack('fashion-mnist');
    const server = await startServer({
      port: 0,
      dataDir: path.join(dir(), 'data'),
      log: () => {},
      env: { HOOK_SECRET: SECRET },
      tracks: new Map([[track.name, track]]),
      competition: competition(hook.url),
      webhooks: { pollMs: 20, timeoutMs: 2_000 },
    });
    try {
      const team = await createTeam(server.db, 'hook-team', Date.now());
      const id = await submitAndComplete(server, team.token);

      const got = await until('the webhook', () => hook.received[0]);
      const header = (name: string): string | undefined => got.headers[name.toLowerCase()] as string | undefined;
      expect(verifyWebhook(SECRET, { timestamp: header(TIMESTAMP_HEADER), signature: header(SIGNATURE_HEADER) }, got.body, Math.floor(Date.now() / 1000))).toBe(
        true,
      );
      expect(
        verifyWebhook(
          'another-secret-of-32-characters0',
          { timestamp: header(TIMESTAMP_HEADER), signature: header(SIGNATURE_HEADER) },
          got.body,
          Math.floor(Date.now() / 1000),
        ),
      ).toBe(false);
      const event = JSON.parse(got.body) as { id: string; event: string; data: Record<string, unknown> };
      expect(header(EVENT_HEADER)).toBe('submission.done');
      expect(header(DELIVERY_HEADER)).toBe(event.id);
      expect(event).toMatchObject({ event: 'submission.done', data: { submissionId: id, team: 'hook-team', track: 'fashion-mnist', phase: 'open' } });
      // The score the server stored (null here: the track's formula needs a reference run paired with the model's).
      const shown = (await (await fetch(`${server.url}/api/submissions/${id}`, { headers: { authorization: `Bearer ${team.token}` } })).json()) as {
        result: { score: { value: number | null } };
      };
      expect(event.data).toHaveProperty('score', shown.result.score.value);
      // One event, one delivery: nothing else arrives.
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(hook.received).toHaveLength(1);
    } finally {
      await server.close();
      await hook.close();
    }
  });

  it('refuses to start when the secret is not set, naming the variable', async () => {
    await expect(
      startServer({
        port: 0,
        dataDir: path.join(dir(), 'data-2'),
        log: () => {},
        env: {},
        tracks: new Map(),
        competition: competition('http://127.0.0.1:9/x'),
      }),
    ).rejects.toThrow(/HOOK_SECRET is not set/);
  });

  it("e-mails a submission's outcome to its team's verified members when SMTP is set, and to nobody else", async () => {
    const smtp = await startSmtp();
    const track = resolveTrack('fashion-mnist');
    const server = await startServer({
      port: 0,
      dataDir: path.join(dir(), 'data-mail'),
      log: () => {},
      env: {},
      tracks: new Map([[track.name, track]]),
      smtpUrl: `smtp://127.0.0.1:${smtp.port}`,
      webhooks: { pollMs: 20, timeoutMs: 2_000 },
    });
    try {
      const now = Date.now();
      const captain = await insertAccount(server.db, 'captain@example.org', null, now);
      await markVerified(server.db, captain.id, now);
      const verified = (await accountById(server.db, captain.id))!;
      await createTeamAsCaptain(server.db, verified, 'Mailers', OPEN_REGISTRATION, now);
      // An unverified member of the team gets nothing.
      const unverified = await insertAccount(server.db, 'unverified@example.org', null, now);
      await joinTeam(server.db, unverified, (await membershipOf(server.db, captain.id))!.teamId, now);
      const { token } = await issueMemberToken(server.db, verified, now);

      const id = await submitAndComplete(server, token);
      const mail = await until('the e-mail', () => smtp.mails.find((m) => m.subject.includes(id)));
      expect(mail.to).toBe('captain@example.org');
      expect(mail.subject).toBe(`LPCV: submission ${id} on track fashion-mnist is done: no score (see the status page for why)`);
      expect(mail.text).toContain('Team Mailers');
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(smtp.mails.map((m) => m.to)).toEqual(['captain@example.org']);
    } finally {
      await server.close();
      await smtp.close();
    }
  });
});
