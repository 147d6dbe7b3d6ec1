/**
 * The operations side of startServer (issue 16, item 4): `metricsListen` serves GET /metrics on its own address
 * with no token (process metrics included) while the main address still asks for one; the reaper's lease
 * expiries are counted and logged with the job's id; a metrics token too short stops the start. Real SQLite
 * file, real HTTP, the server's injected clock.
 */
import { describe, expect, it } from 'vitest';
import { resolveTrack } from '../../harness/tracks/load-track.js';
import { parseLeaseAnswer } from '../../harness/wire/index.js';
import { fixtureBytes } from '../../test/testing/onnx-fixtures.js';
import { createAgent, createTeam } from '../auth/index.js';
import { useTempDir } from '../db/testing/suite-hooks.js';
import { call } from '../http/testing/test-server.js';
import { METRICS_TOKEN_ENV } from '../metrics/metrics-routes.js';
import { sample } from '../metrics/testing/operations.contract.js';
import { startServer } from './start-server.js';

const METRICS_TOKEN = 'metrics-token-0123456789abcdefghijklmnopqrstuv';

async function until<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('startServer: metrics and the log', () => {
  const dir = useTempDir('lpcv-serve-ops-');

  it('serves /metrics without a token on --metrics-listen, and counts and logs a lease the reaper reclaims', async () => {
    let clock = 1_800_000_000_000;
    const lines: string[] = [];
    const track = resolveTrack('fashion-mnist');
    const server = await startServer({
      port: 0,
      dataDir: dir(),
      log: (l) => lines.push(l),
      env: { [METRICS_TOKEN_ENV]: METRICS_TOKEN },
      now: () => clock,
      reapEveryMs: 20,
      tracks: new Map([[track.name, track]]),
      metricsListen: { host: '127.0.0.1', port: 0 },
    });
    try {
      expect(server.metricsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
      const open = await fetch(server.metricsUrl!);
      expect(open.status).toBe(200);
      const text = await open.text();
      expect(text).toMatch(/^lpcv_process_cpu_seconds_total \d/m);
      expect(text).toMatch(/^lpcv_nodejs_eventloop_lag_seconds /m);
      expect((await fetch(`${server.metricsUrl!.replace(/\/metrics$/, '')}/api/leaderboard/${track.name}`)).status).toBe(404);
      expect((await call(server, 'GET', '/metrics', undefined)).status).toBe(401);
      expect((await call(server, 'GET', '/metrics', METRICS_TOKEN)).status).toBe(200);

      const team = await createTeam(server.db, 'ops-team', clock);
      const agent = await createAgent(server.db, 'ops-agent', clock);
      const form = new FormData();
      form.append('track', track.name);
      form.append('file', new Blob([fixtureBytes('tiny-conv.onnx')]), 'tiny-conv.onnx');
      expect((await fetch(`${server.url}/api/submissions`, { method: 'POST', body: form, headers: { authorization: `Bearer ${team.token}` } })).status).toBe(
        201,
      );
      const { deviceId } = (await (
        await call(server, 'POST', '/api/agent/devices', agent.token, { name: 'desk', kind: 'desktop', capabilities: {} })
      ).json()) as {
        deviceId: number;
      };
      const lease = parseLeaseAnswer(await (await call(server, 'POST', '/api/agent/lease', agent.token, { deviceId, leaseMs: 5_000 })).json());
      clock += 60_000;
      const expiries = await until('the reaper to count the expiry', async () =>
        sample(await (await fetch(server.metricsUrl!)).text(), 'lpcv_lease_expiries_total{outcome="queued"}'),
      );
      expect(expiries).toBe(1);
      expect(sample(await (await fetch(server.metricsUrl!)).text(), `lpcv_job_retries_total{track="${track.name}",fault="infrastructure"}`)).toBe(1);
      expect(lines).toContain(`serve: warn: job ${lease.job.id}'s lease expired; it is queued again [jobId=${lease.job.id}]`);
      expect(lines.join('\n')).not.toContain(lease.job.leaseToken);
    } finally {
      await server.close();
    }
  }, 30_000);

  it(`refuses to start with a ${METRICS_TOKEN_ENV} shorter than 32 characters`, async () => {
    await expect(startServer({ port: 0, dataDir: dir(), log: () => {}, env: { [METRICS_TOKEN_ENV]: 'short' } })).rejects.toMatchObject({
      code: 'LPCV_E_USAGE',
      message: expect.stringMatching(new RegExp(`^${METRICS_TOKEN_ENV} must be at least 32 characters`)),
    });
  });
});
