/**
 * What an operator reads off a running server (issue 16, item 4): GET /metrics behind its token, the queue's and
 * the devices' gauges from the database, the counters and histograms of one submission's path (upload, lease, an
 * infrastructure failure and its retry, completion), request timings by route pattern; and the JSON log: a
 * request id on every request's line (the client's X-Request-Id when given), the job id on every job line, and
 * no token anywhere. Real HTTP and the suite's database (operations.*.test.ts).
 */
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { loadLabels } from '../../../harness/datasets/open-split.js';
import { resolveTrack } from '../../../harness/tracks/load-track.js';
import { parseLeaseAnswer } from '../../../harness/wire/index.js';
import { fixtureBytes } from '../../../test/testing/onnx-fixtures.js';
import { createAgent, createTeam, type CreatedOwner } from '../../auth/index.js';
import type { TestDatabase } from '../../db/testing/databases.js';
import { useTestDatabase } from '../../db/testing/suite-hooks.js';
import { fakeCompletion } from '../../http/testing/fake-completion.js';
import { call, startTestServer, T0, TEST_ADMIN_TOKEN, type TestServer } from '../../http/testing/test-server.js';
import { jsonLogger } from '../../log/server-logger.js';
import { UNLIMITED_QUOTA } from '../../quota/index.js';
import { metricsTokenFromEnv, METRICS_TOKEN_ENV } from '../metrics-routes.js';

const METRICS_TOKEN = 'metrics-token-0123456789abcdefghijklmnopqrstuv';
const LINK_SECRET = 'link-secret-zyxwvutsrqponmlkjihgfedcba9876';

/** One sample's value from the Prometheus text, or undefined when the series is absent. */
export function sample(text: string, series: string): number | undefined {
  for (const line of text.split('\n')) {
    if (line.startsWith(`${series} `)) return Number(line.slice(series.length + 1));
  }
  return undefined;
}

export function operationsContract(database: TestDatabase): void {
  describe(`metrics and logs on ${database.name}`, () => {
    const track = resolveTrack('fashion-mnist');
    const lines: string[] = [];
    let clock = T0;
    let api: TestServer;
    let team: CreatedOwner;
    let agent: CreatedOwner;
    useTestDatabase(database, {
      async setUp() {
        const sink = new Writable({
          write(chunk: Buffer | string, _enc, done) {
            lines.push(
              ...String(chunk)
                .split('\n')
                .filter((l) => l !== ''),
            );
            done();
          },
        });
        api = await startTestServer({
          database,
          tracks: [track],
          quota: UNLIMITED_QUOTA,
          agentApi: true,
          admin: true,
          now: () => clock,
          logger: jsonLogger('debug', sink),
          metricsToken: metricsTokenFromEnv({ [METRICS_TOKEN_ENV]: METRICS_TOKEN }),
        });
        team = await createTeam(api.db, 'ops-team', T0);
        agent = await createAgent(api.db, 'ops-agent', T0);
      },
      async tearDown() {
        await api?.close();
      },
    });

    const scrape = async (token: string | undefined): Promise<Response> => call(api, 'GET', '/metrics', token);

    it('GET /metrics needs the metrics token or the admin token', async () => {
      const none = await scrape(undefined);
      expect(none.status).toBe(401);
      expect(((await none.json()) as { error: { code: string } }).error.code).toBe('LPCV_E_UNAUTHORIZED');
      expect((await scrape(team.token)).status).toBe(401);
      expect((await scrape(`${METRICS_TOKEN}x`)).status).toBe(401);
      const ok = await scrape(METRICS_TOKEN);
      expect(ok.status).toBe(200);
      expect(ok.headers.get('content-type')).toMatch(/^text\/plain;.*version=0\.0\.4/);
      expect((await scrape(TEST_ADMIN_TOKEN)).status).toBe(200);
    });

    it("counts one submission's path and logs it by request and job, with no token in any line", async () => {
      lines.length = 0;
      const model = fixtureBytes('tiny-conv.onnx');
      const form = new FormData();
      form.append('track', track.name);
      form.append('file', new Blob([model]), 'tiny-conv.onnx');
      const up = await fetch(`${api.url}/api/submissions`, {
        method: 'POST',
        body: form,
        headers: { authorization: `Bearer ${team.token}`, 'x-request-id': 'client-req-42' },
      });
      expect(up.status).toBe(201);
      expect(up.headers.get('x-request-id')).toBe('client-req-42');
      const { id } = (await up.json()) as { id: string };

      const { deviceId } = (await (
        await call(api, 'POST', '/api/agent/devices', agent.token, { name: 'ops-desk', kind: 'desktop', capabilities: {} })
      ).json()) as {
        deviceId: number;
      };
      clock += 2_000;
      const first = parseLeaseAnswer(await (await call(api, 'POST', '/api/agent/lease', agent.token, { deviceId })).json());
      const failed = await call(api, 'POST', `/api/agent/jobs/${first.job.id}/fail`, agent.token, {
        leaseToken: first.job.leaseToken,
        fault: 'infrastructure',
        code: 'LPCV_E_DEVICE_LOST',
        message: 'the board rebooted',
      });
      expect(((await failed.json()) as { state: string }).state).toBe('queued');
      clock += 3_600_000; // past any retry backoff
      const second = parseLeaseAnswer(await (await call(api, 'POST', '/api/agent/lease', agent.token, { deviceId })).json());
      expect(second.job.id).toBe(first.job.id);
      const ids = (await loadLabels(track, 'test')).ids;
      const done = await call(api, 'POST', `/api/agent/jobs/${second.job.id}/complete`, agent.token, fakeCompletion(second.job.leaseToken, ids));
      expect(((await done.json()) as { status: string }).status).toBe('done');
      expect((await call(api, 'GET', `/api/submissions/${id}`, team.token)).status).toBe(200);
      expect((await fetch(`${api.url}/account/sign-in/link?token=${LINK_SECRET}`)).status).toBe(200);

      const text = await (await scrape(METRICS_TOKEN)).text();
      const t = `track="${track.name}"`;
      expect(sample(text, `lpcv_jobs{${t},state="done"}`)).toBe(1);
      expect(sample(text, `lpcv_jobs{${t},state="queued"}`)).toBeUndefined();
      expect(sample(text, 'lpcv_devices{kind="desktop",state="idle"}')).toBe(1);
      expect(sample(text, `lpcv_job_retries_total{${t},fault="infrastructure"}`)).toBe(1);
      expect(sample(text, `lpcv_job_duration_seconds_count{${t},outcome="done"}`)).toBe(1);
      // Enqueued at T0, done 3,602 s of the test's clock later (and a moment more).
      expect(sample(text, `lpcv_job_duration_seconds_sum{${t},outcome="done"}`)).toBeGreaterThanOrEqual(3602);
      expect(sample(text, `lpcv_job_queue_wait_seconds_count{${t}}`)).toBe(2);
      expect(sample(text, 'lpcv_upload_bytes_count')).toBe(1);
      expect(sample(text, 'lpcv_upload_bytes_sum')).toBe(model.length);
      expect(sample(text, 'lpcv_http_request_duration_seconds_count{method="GET",route="/api/submissions/:id",status="200"}')).toBe(1);
      expect(sample(text, 'lpcv_http_request_duration_seconds_count{method="POST",route="/api/agent/jobs/:id/complete",status="200"}')).toBe(1);
      // Labels are route patterns, never a request's values.
      expect(text).not.toContain(id);

      const records = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
      const requests = records.filter((r) => r.component === 'http');
      expect(requests.length).toBeGreaterThan(8);
      for (const r of requests) expect(r.reqId, JSON.stringify(r)).toMatch(/^[\w.:-]{1,64}$/);
      const upload = records.filter((r) => r.reqId === 'client-req-42').map((r) => r.msg);
      expect(upload).toEqual([expect.stringMatching(new RegExp(`^submission ${id} accepted`)), expect.stringMatching(/^POST \/api\/submissions 201 /)]);
      const jobLines = records.filter((r) => typeof r.msg === 'string' && /^job \d+/.test(r.msg));
      expect(jobLines.map((r) => r.msg)).toEqual([
        expect.stringMatching(new RegExp(`^job ${first.job.id} .* leased by device ops-desk, attempt 1$`)),
        expect.stringMatching(/failed \(LPCV_E_DEVICE_LOST, infrastructure's fault\): queued again/),
        expect.stringMatching(/leased by device ops-desk, attempt 2$/),
        expect.stringMatching(/ done(, score \S+)?$/),
      ]);
      for (const r of jobLines) expect(r.jobId).toBe(first.job.id);
      const all = lines.join('\n');
      for (const secret of [team.token, agent.token, first.job.leaseToken, second.job.leaseToken, TEST_ADMIN_TOKEN, METRICS_TOKEN, LINK_SECRET])
        expect(all).not.toContain(secret);
      expect(all).toContain('/account/sign-in/link?token=[redacted] 200');
    });
  });
}
