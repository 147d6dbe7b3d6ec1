import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import express from 'express';
import { describe, expect, it } from 'vitest';
import { fixtureBytes } from '../../../test/testing/onnx-fixtures.js';
import { loadLabels } from '../../../harness/datasets/open-split.js';
import { loadTrackFile } from '../../../harness/tracks/load-track.js';
import type { Track } from '../../../harness/tracks/track.js';
import { MAX_LOG_CHARS, parseLeaseAnswer, type ReceivedLease, type RunLogs } from '../../../harness/wire/index.js';
import { createAgent, createTeam, type CreatedOwner } from '../../auth/index.js';
import type { TestDatabase } from '../../db/testing/databases.js';
import { useTestDatabase } from '../../db/testing/suite-hooks.js';
import { TestBrowser } from '../../pages/testing/browser.js';
import { UNLIMITED_QUOTA } from '../../quota/index.js';
import { jsonErrorHandler } from '../error-handler.js';
import type { SubmissionBody } from '../submissions-routes.js';
import { trackFailuresRoutes } from '../track-failures-routes.js';
import { writeTestTrack } from './reference-tracks.js';
import { call, startTestServer, T0, TEST_ADMIN_TOKEN, type TestServer } from './test-server.js';

const PROTOCOL = { warmupRuns: 0, minRuns: 1, minDurationMs: 0, maxRuns: 1 };
const FAILED_LOGS: RunLogs = {
  stdout: { text: 'loading weights\n', truncated: false },
  stderr: { text: 'Traceback (most recent call last):\nValueError: secret-key-42 is not a shape\n', truncated: true },
};

/** The track as written by writeTestTrack, with its `participants` settings. */
function withParticipants(track: Track, participants: Record<string, boolean>): Track {
  const json = JSON.parse(readFileSync(track.file, 'utf8')) as Record<string, unknown>;
  writeFileSync(track.file, JSON.stringify({ ...json, participants }));
  return loadTrackFile(track.file);
}

/**
 * What a participant sees of a run (issue 14): the output tails an agent sends with a failure or a
 * completion, stored with the job's change and shown per attempt by GET /api/submissions/:id and the status
 * page unless the track hides them; the job's state changes; the team's own upload to download again; a
 * track's public list of failures. Real HTTP and the suite's database (run-logs-api.*.test.ts).
 */
export function runLogsContract(database: TestDatabase): void {
  describe(`the runs' logs on ${database.name}`, () => {
    const work = mkdtempSync(path.join(tmpdir(), 'lpcv-run-logs-'));
    let clock = T0;
    let api: TestServer;
    let failuresApi: { url: string; server: Server };
    let team: CreatedOwner;
    let other: CreatedOwner;
    let agent: CreatedOwner;
    let open: Track;
    let quiet: Track;
    useTestDatabase(database, {
      async setUp() {
        open = writeTestTrack(work, { name: 'open-track', kind: 'open-desktop', trials: 1, baselines: [], images: 20 });
        quiet = withParticipants(writeTestTrack(work, { name: 'quiet-track', kind: 'quiet-desktop', trials: 1, baselines: [], images: 20 }), {
          logs: false,
          publicFailures: true,
        });
        api = await startTestServer({ database, tracks: [open, quiet], quota: UNLIMITED_QUOTA, agentApi: true, admin: true, now: () => (clock += 1) });
        team = await createTeam(api.db, 'logs-team', T0);
        other = await createTeam(api.db, 'logs-other', T0);
        agent = await createAgent(api.db, 'logs-agent', T0);
        // The failures' router on an app of its own: its factory is what the server mounts.
        const app = express().use(
          trackFailuresRoutes({ db: api.db, tracks: api.tracks }),
          jsonErrorHandler(() => {}),
        );
        const server = await new Promise<Server>((resolve) => {
          const s = app.listen(0, '127.0.0.1', () => resolve(s));
        });
        failuresApi = { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
      },
      async tearDown() {
        try {
          failuresApi?.server.closeAllConnections();
          await new Promise((resolve) => failuresApi?.server.close(resolve) ?? resolve(undefined));
          await api?.close();
        } finally {
          rmSync(work, { recursive: true, force: true });
        }
      },
    });

    async function submit(track: Track, name = 'tiny-conv.onnx'): Promise<string> {
      const form = new FormData();
      form.append('track', track.name);
      form.append('file', new Blob([fixtureBytes('tiny-conv.onnx')]), name);
      const res = await fetch(`${api.url}/api/submissions`, { method: 'POST', body: form, headers: { authorization: `Bearer ${team.token}` } });
      expect(res.status).toBe(201);
      return ((await res.json()) as { id: string }).id;
    }

    async function lease(track: Track): Promise<ReceivedLease> {
      const reg = await call(api, 'POST', '/api/agent/devices', agent.token, { name: `dev-${track.name}`, kind: track.target.kind });
      const { deviceId } = (await reg.json()) as { deviceId: number };
      const res = await call(api, 'POST', '/api/agent/lease', agent.token, { deviceId });
      expect(res.status).toBe(200);
      return parseLeaseAnswer(await res.json());
    }

    const fail = (l: ReceivedLease, body: Record<string, unknown>): Promise<Response> =>
      call(api, 'POST', `/api/agent/jobs/${l.job.id}/fail`, agent.token, { leaseToken: l.job.leaseToken, ...body });

    async function completion(l: ReceivedLease, logs?: unknown): Promise<Record<string, unknown>> {
      const { ids } = await loadLabels(open, l.job.split);
      return {
        leaseToken: l.job.leaseToken,
        measurement: {
          predictions: { kind: 'topk', ids, topk: ids.map(() => [0, 1, 2, 3, 4]) },
          runtime: 'fake 1.0',
          threads: 1,
          protocol: PROTOCOL,
          latencyMs: [1],
          warmupMs: [],
          preprocessMs: [],
        },
        target: { kind: open.target.kind, device: 'dev-open-track', runtime: 'fake 1.0', threads: 1, os: 'linux', cpu: 'test cpu' },
        energy: null,
        energyNote: 'no power sensor',
        startedAt: '2027-01-15T08:00:00.000Z',
        finishedAt: '2027-01-15T08:00:05.000Z',
        ...(logs === undefined ? {} : { logs }),
      };
    }

    async function status(id: string, token = team.token): Promise<SubmissionBody> {
      const res = await call(api, 'GET', `/api/submissions/${id}`, token);
      expect(res.status).toBe(200);
      return (await res.json()) as SubmissionBody;
    }

    async function loggedIn(token: string): Promise<TestBrowser> {
      const b = new TestBrowser(api.url);
      const form = await b.get('/login');
      expect((await b.post('/login', { _csrf: TestBrowser.formToken(form), token, next: '/' })).status).toBe(303);
      return b;
    }

    it("shows a failed run's output, state changes, fault and device to its team, on the API and the page", async () => {
      const id = await submit(open);
      const l = await lease(open);
      const failed = await fail(l, {
        fault: 'submission',
        code: 'LPCV_E_SOLUTION_EXIT',
        message: 'the solution package exited with status 1',
        logs: FAILED_LOGS,
      });
      expect(failed.status).toBe(200);

      const body = await status(id);
      expect(body.status).toBe('failed');
      expect(body.error).toEqual({ code: 'LPCV_E_SOLUTION_EXIT', message: 'the solution package exited with status 1', fault: 'submission' });
      expect(body.logsHidden).toBe(false);
      expect(body.logs).toEqual([{ attempt: 1, at: expect.any(Number) as number, ...FAILED_LOGS }]);
      expect(body.events.map((e) => [e.from, e.to])).toEqual([
        [null, 'queued'],
        ['queued', 'leased'],
        ['leased', 'failed'],
      ]);
      expect(body.events[2]!.detail).toMatchObject({ attempt: 1, fault: 'submission', code: 'LPCV_E_SOLUTION_EXIT' });
      expect(body.target).toEqual({ kind: 'open-desktop', device: 'dev-open-track' });
      expect(body.file).toMatchObject({ name: 'tiny-conv.onnx', format: 'onnx', url: `/api/submissions/${id}/artifact` });

      const page = await (await loggedIn(team.token)).get(`/submissions/${id}`);
      expect(page.status).toBe(200);
      expect(page.body).toContain('ValueError: secret-key-42 is not a shape');
      expect(page.body).toContain('Standard error (its last 8 KiB only)');
      expect(page.body).toContain('loading weights');
      expect(page.body).toContain('dev-open-track');
      expect(page.body).toContain(`href="/submissions/${id}/artifact"`);
      expect(page.body).not.toMatch(/<script/i);
    });

    it("keeps each attempt's output: an infrastructure failure, then the completion that followed", async () => {
      const id = await submit(open);
      const first = await lease(open);
      // A NUL (binary output) is stored as U+FFFD: PostgreSQL's text cannot hold it.
      const infra: RunLogs = { stderr: { text: 'ssh: connection reset\u0000\n', truncated: false } };
      expect((await fail(first, { fault: 'infrastructure', code: 'LPCV_E_SSH_REMOTE', message: 'the board went away', logs: infra })).status).toBe(200);
      clock += 3_600_000; // past the retry's backoff
      const second = await lease(open);
      expect(second.job.attempt).toBe(2);
      const done = await call(
        api,
        'POST',
        `/api/agent/jobs/${second.job.id}/complete`,
        agent.token,
        await completion(second, { stdout: { text: 'ok\n', truncated: false } }),
      );
      expect(done.status).toBe(200);
      expect(((await done.json()) as { status: string }).status).toBe('done');

      const body = await status(id);
      expect(body.status).toBe('done');
      expect(body.logs?.map((l) => [l.attempt, l.stdout?.text ?? null, l.stderr?.text ?? null])).toEqual([
        [1, null, 'ssh: connection reset\uFFFD\n'],
        [2, 'ok\n', null],
      ]);
      expect(body.target).toMatchObject({ kind: 'open-desktop', device: 'dev-open-track', runtime: 'fake 1.0' });
      // The tails are the team's to read, not part of the stored completion a re-score reads.
      const raw = (await api.db('results').where('job_id', second.job.id).first('raw_json')) as { raw_json: string };
      expect(JSON.parse(raw.raw_json)).not.toHaveProperty('logs');
    });

    it('refuses a tail over the limit with LPCV_E_AGENT_REQUEST and leaves the job leased', async () => {
      await submit(open);
      const l = await lease(open);
      const long = { stderr: { text: 'x'.repeat(MAX_LOG_CHARS + 1), truncated: true } };
      const refusedFail = await fail(l, { fault: 'submission', code: 'LPCV_E_SOLUTION_EXIT', message: 'x', logs: long });
      expect(refusedFail.status).toBe(400);
      expect(((await refusedFail.json()) as { error: { code: string; message: string } }).error).toMatchObject({ code: 'LPCV_E_AGENT_REQUEST' });
      const refusedDone = await call(api, 'POST', `/api/agent/jobs/${l.job.id}/complete`, agent.token, await completion(l, long));
      expect(refusedDone.status).toBe(400);
      expect(((await refusedDone.json()) as { error: { code: string; message: string } }).error.message).toContain('logs');
      // Still leased: the same token fails it now, with a tail that fits (exactly at the limit).
      const fits = { stderr: { text: 'y'.repeat(MAX_LOG_CHARS), truncated: true } };
      expect((await fail(l, { fault: 'submission', code: 'LPCV_E_SOLUTION_EXIT', message: 'x', logs: fits })).status).toBe(200);
    });

    it('hides the output from the team on a track that says so, not from an admin, and lists its failures publicly', async () => {
      const id = await submit(quiet);
      const l = await lease(quiet);
      expect((await fail(l, { fault: 'submission', code: 'LPCV_E_SOLUTION_EXIT', message: 'private detail', logs: FAILED_LOGS })).status).toBe(200);

      const body = await status(id);
      expect(body).toMatchObject({ logs: null, logsHidden: true, error: { code: 'LPCV_E_SOLUTION_EXIT', fault: 'submission' } });
      expect(JSON.stringify(body)).not.toContain('secret-key-42');
      const teamPage = await (await loggedIn(team.token)).get(`/submissions/${id}`);
      expect(teamPage.body).toContain('id="logs-hidden"');
      expect(teamPage.body).not.toContain('secret-key-42');
      const adminPage = await (await loggedIn(TEST_ADMIN_TOKEN)).get(`/submissions/${id}`);
      expect(adminPage.body).toContain('secret-key-42');
      expect(adminPage.body).toContain('hides the output from the team');

      const list = await fetch(`${failuresApi.url}/api/tracks/quiet-track/failures`);
      expect(list.status).toBe(200);
      const failures = (await list.json()) as { track: string; failures: Array<Record<string, unknown>> };
      expect(failures.failures).toEqual([
        {
          submission: id,
          team: 'logs-team',
          submittedAt: expect.any(Number) as number,
          failedAt: expect.any(Number) as number,
          code: 'LPCV_E_SOLUTION_EXIT',
          fault: 'submission',
        },
      ]);
      expect(JSON.stringify(failures)).not.toContain('private detail');
      const page = await new TestBrowser(api.url).get('/tracks/quiet-track/failures');
      expect(page.status).toBe(200);
      expect(page.body).toContain('LPCV_E_SOLUTION_EXIT');
      expect(page.body).toContain('<caption>Newest first (at most 200)</caption>');
      expect(page.body).not.toContain('private detail');

      const privateList = await fetch(`${failuresApi.url}/api/tracks/open-track/failures`);
      expect(privateList.status).toBe(404);
      expect(((await privateList.json()) as { error: { code: string } }).error.code).toBe('LPCV_E_ROUTE_UNKNOWN');
      expect((await new TestBrowser(api.url).get('/tracks/open-track/failures')).status).toBe(404);
      const unknown = await fetch(`${failuresApi.url}/api/tracks/nope/failures`);
      expect(((await unknown.json()) as { error: { code: string } }).error.code).toBe('LPCV_E_TRACK_UNKNOWN');
    });

    it("gives a team its own upload back, as an attachment with a safe name, and nobody else's", async () => {
      const id = await submit(open, 'mon mod\u00e8le;v2.onnx');
      const res = await call(api, 'GET', `/api/submissions/${id}/artifact`, team.token);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('application/octet-stream');
      expect(res.headers.get('content-disposition')).toBe(`attachment; filename="mon mod_le_v2.onnx"; filename*=UTF-8''mon%20mod%C3%A8le%3Bv2.onnx`);
      expect(Buffer.from(await res.arrayBuffer()).equals(Buffer.from(fixtureBytes('tiny-conv.onnx')))).toBe(true);

      const theirs = await call(api, 'GET', `/api/submissions/${id}/artifact`, other.token);
      expect(theirs.status).toBe(404);
      expect(((await theirs.json()) as { error: { code: string } }).error.code).toBe('LPCV_E_SUBMISSION_UNKNOWN');
      expect((await call(api, 'GET', `/api/submissions/${id}/artifact`, undefined)).status).toBe(401);

      const page = await (await loggedIn(team.token)).get(`/submissions/${id}/artifact`);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-disposition')).toMatch(/^attachment; filename="mon mod_le_v2.onnx"/);
      const otherPage = await (await loggedIn(other.token)).get(`/submissions/${id}/artifact`);
      expect(otherPage.status).toBe(404);
      expect(otherPage.body).toContain('LPCV_E_SUBMISSION_UNKNOWN');
      expect((await new TestBrowser(api.url).get(`/submissions/${id}/artifact`)).status).toBe(303);
      expect(api.internalErrors).toEqual([]);
    });
  });
}
