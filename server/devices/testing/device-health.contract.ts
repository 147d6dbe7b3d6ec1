import { beforeEach, describe, expect, it } from 'vitest';
import { fixtureBytes } from '../../../test/testing/onnx-fixtures.js';
import { loadLabels } from '../../../harness/datasets/open-split.js';
import { T0, TEST_ADMIN_TOKEN } from '../../http/testing/test-server.js';
import type { TestDatabase } from '../../db/testing/databases.js';
import { useTestDatabase } from '../../db/testing/suite-hooks.js';
import { buildLeaderboard } from '../../leaderboard/index.js';
import { finishQueuedJobs, resultRecord } from '../../leaderboard/testing/results.js';
import { TestBrowser } from '../../pages/testing/browser.js';
import { failJob, getJob, leaseJob, reclaimExpiredLeases } from '../../queue/index.js';
import type { LpcvError } from '../../../errors/lpcv-error.js';
import { deviceHealthConfig } from '../device-health-config.js';
import { deviceSweeps } from '../device-sweeps.js';
import { leaseForDevice } from '../lease-for-device.js';
import { queueReferenceRuns } from '../reference-runs.js';
import { sweepDevices } from '../sweep-devices.js';
import { callApi, startDeviceTestApi, type DeviceTestApi } from './device-api.js';

const OFFLINE_AFTER_MS = 120_000;
const CONFIG = deviceHealthConfig({ offlineAfterMs: OFFLINE_AFTER_MS, driftPct: 10 });
const EVERY_MS = 10 * 60_000;
const REFERENCE = deviceHealthConfig({ offlineAfterMs: OFFLINE_AFTER_MS, driftPct: 10, referenceEveryMs: EVERY_MS });

const TARGET = { kind: 'desktop', device: 'test-host', runtime: 'onnxruntime-node', threads: 1, os: 'linux', cpu: 'test cpu' };
const PROTOCOL = { warmupRuns: 1, minRuns: 3, minDurationMs: 0, maxRuns: 3 };

interface LeaseBody {
  job: { id: number; submissionId: string; leaseToken: string; leaseExpiresAt: number };
}
interface AdminDevice {
  id: number;
  name: string;
  kind: string;
  agent: string;
  state: string;
  lastSeenAt: string;
  drained: boolean;
  currentJob: { id: number; submissionId: string; reference: boolean } | null;
  drifted: boolean;
  drift: { referenceP50Ms: number; latestP50Ms: number; changePct: number; drifted: boolean; runs: number; baseline: string } | null;
}

const codeOf = (r: { body: unknown }): string | undefined => (r.body as { error?: { code?: string } } | undefined)?.error?.code;

/**
 * Device health over real HTTP, run against each database (device-health.sqlite.test.ts,
 * device-health.postgres.test.ts): states and the offline sweep, one job per device, drain, the admin API
 * and page, reference runs pinned to their device and the drift flag. The clock is the test's: rows age by
 * moving it, nothing sleeps.
 */
export function deviceHealthContract(database: TestDatabase): void {
  describe(`device health on ${database.name}`, () => {
    let api: DeviceTestApi;
    let hiddenIds: string[] = [];
    useTestDatabase(database, {
      async setUp() {
        api = await startDeviceTestApi(database, 'health', CONFIG);
        hiddenIds = (await loadLabels(api.track, 'test')).ids;
        // The baseline's own job is done (latency 0.5 ms) before any reference run.
        const own = resultRecord(api.track.name, 'test', { top1: 0.8, p50: 0.5, score: 1 });
        expect(await finishQueuedJobs(api.db, new Map([[api.baselineSubmissionId, own]]), T0)).toBeGreaterThan(0);
      },
      tearDown: async () => api?.close(),
    });

    /** Moves the app's clock on and answers the new time. */
    const tick = (ms: number): number => (api.clock += ms);

    /** Every queued job that is not pinned to a device is leased by a stand-in and failed: tests start with an empty queue. */
    beforeEach(async () => {
      for (;;) {
        const leased = await leaseJob(api.db, { agentId: 'test-cleaner', targetKinds: ['desktop'], leaseMs: 60_000 }, api.clock);
        if (leased === null) break;
        await failJob(
          api.db,
          { jobId: leased.job.id, token: leased.token, fault: 'submission', code: 'LPCV_E_MODEL_CRASHED', message: 'cleared by the test' },
          api.clock,
        );
      }
    });

    async function register(token: string, name: string): Promise<number> {
      const r = await callApi(api, 'POST', '/api/agent/devices', token, { name, kind: 'desktop' });
      expect(r.status).toBe(200);
      return (r.body as { deviceId: number }).deviceId;
    }

    async function submit(): Promise<string> {
      const form = new FormData();
      form.append('track', 'fashion-mnist');
      form.append('file', new Blob([fixtureBytes('tiny-conv.onnx')]), 'tiny-conv.onnx');
      const res = await fetch(`${api.url}/api/submissions`, { method: 'POST', body: form, headers: { authorization: `Bearer ${api.team.token}` } });
      expect(res.status).toBe(201);
      return ((await res.json()) as { id: string }).id;
    }

    const lease = (token: string, deviceId: number, leaseMs?: number): ReturnType<typeof callApi> =>
      callApi(api, 'POST', '/api/agent/lease', token, { deviceId, ...(leaseMs === undefined ? {} : { leaseMs }) });

    async function leased(token: string, deviceId: number, leaseMs?: number): Promise<LeaseBody> {
      const r = await lease(token, deviceId, leaseMs);
      expect(r.status).toBe(200);
      expect(r.headers.get('lpcv-device-state')).toBe('busy');
      return r.body as LeaseBody;
    }

    const failRoute = (token: string, l: LeaseBody): ReturnType<typeof callApi> =>
      callApi(api, 'POST', `/api/agent/jobs/${l.job.id}/fail`, token, {
        leaseToken: l.job.leaseToken,
        fault: 'submission',
        code: 'LPCV_E_MODEL_CRASHED',
        message: 'test',
      });

    /** A completion of the hidden split whose every timed run took `latencyMs`. */
    const complete = (token: string, l: LeaseBody, latencyMs: number): ReturnType<typeof callApi> =>
      callApi(api, 'POST', `/api/agent/jobs/${l.job.id}/complete`, token, {
        leaseToken: l.job.leaseToken,
        measurement: {
          predictions: { kind: 'topk', ids: hiddenIds, topk: hiddenIds.map(() => [0, 1, 2, 3, 4]) },
          runtime: 'fake 1.0',
          threads: 1,
          protocol: PROTOCOL,
          latencyMs: [latencyMs, latencyMs, latencyMs],
          warmupMs: [5],
          preprocessMs: [0.1],
        },
        target: TARGET,
        energy: null,
        energyNote: 'no power sensor',
        startedAt: '2027-01-15T08:00:00.000Z',
        finishedAt: '2027-01-15T08:00:05.000Z',
      });

    const row = async (id: number): Promise<{ state: string; last_seen_at: number; drained_at: number | null }> =>
      (await api.db('devices').where('id', id).first('state', 'last_seen_at', 'drained_at')) as {
        state: string;
        last_seen_at: number;
        drained_at: number | null;
      };
    const stateOf = async (id: number): Promise<string> => (await row(id)).state;

    async function adminDevices(): Promise<Map<number, AdminDevice>> {
      const r = await callApi(api, 'GET', '/api/admin/devices', TEST_ADMIN_TOKEN);
      expect(r.status).toBe(200);
      return new Map((r.body as { devices: AdminDevice[] }).devices.map((d) => [d.id, d]));
    }
    const drain = (id: number, method: 'POST' | 'DELETE' = 'POST'): ReturnType<typeof callApi> =>
      callApi(api, method, `/api/admin/devices/${id}/drain`, TEST_ADMIN_TOKEN);

    it('marks a device offline after the silence and not at it, and brings it back when it registers again', async () => {
      const seen = tick(1_000);
      const id = await register(api.agentA.token, 'quiet-1');
      expect(await row(id)).toMatchObject({ state: 'idle', last_seen_at: seen });
      expect(await sweepDevices(api.db, OFFLINE_AFTER_MS, seen + OFFLINE_AFTER_MS)).not.toContainEqual(expect.objectContaining({ id }));
      expect(await stateOf(id)).toBe('idle');
      const swept = await sweepDevices(api.db, OFFLINE_AFTER_MS, seen + OFFLINE_AFTER_MS + 1);
      expect(swept).toContainEqual({ id, name: 'quiet-1', state: 'offline' });
      expect(await stateOf(id)).toBe('offline');
      expect((await adminDevices()).get(id)).toMatchObject({
        state: 'offline',
        kind: 'desktop',
        agent: api.agentA.name,
        lastSeenAt: new Date(seen).toISOString(),
        currentJob: null,
      });

      tick(OFFLINE_AFTER_MS + 10);
      expect(await register(api.agentA.token, 'quiet-1')).toBe(id);
      expect(await row(id)).toMatchObject({ state: 'idle', last_seen_at: api.clock });
    });

    it('takes a lease request as a sign of life: an offline device that leases is back and gets its job', async () => {
      const id = await register(api.agentA.token, 'quiet-2');
      await sweepDevices(api.db, OFFLINE_AFTER_MS, tick(OFFLINE_AFTER_MS + 1));
      expect(await stateOf(id)).toBe('offline');
      const none = await lease(api.agentA.token, id);
      expect(none.status).toBe(204);
      expect(none.headers.get('lpcv-device-state')).toBe('idle');
      expect(await row(id)).toMatchObject({ state: 'idle', last_seen_at: api.clock });

      await sweepDevices(api.db, OFFLINE_AFTER_MS, tick(OFFLINE_AFTER_MS + 1));
      const submissionId = await submit();
      const l = await leased(api.agentA.token, id);
      expect(l.job.submissionId).toBe(submissionId);
      expect(await stateOf(id)).toBe('busy');
      expect((await failRoute(api.agentA.token, l)).status).toBe(200);
      expect(await stateOf(id)).toBe('idle');
    });

    it("refreshes last_seen_at with a job's heartbeats, keeps a device inside a live lease online, and marks it offline once the lease ran out", async () => {
      const id = await register(api.agentA.token, 'long-run');
      await submit();
      const l = await leased(api.agentA.token, id, 600_000);
      const beatAt = tick(50_000);
      const beat = await callApi(api, 'POST', `/api/agent/jobs/${l.job.id}/heartbeat`, api.agentA.token, { leaseToken: l.job.leaseToken, leaseMs: 600_000 });
      expect(beat.status).toBe(200);
      expect(await row(id)).toMatchObject({ state: 'busy', last_seen_at: beatAt });
      // Silent for longer than the allowed silence, but inside its lease (heartbeats every leaseMs/3).
      await sweepDevices(api.db, OFFLINE_AFTER_MS, beatAt + OFFLINE_AFTER_MS + 1);
      expect(await stateOf(id)).toBe('busy');
      // Past the lease's end (not reclaimed yet): offline; the next heartbeat brings it back, still busy.
      await sweepDevices(api.db, OFFLINE_AFTER_MS, beatAt + 600_001);
      expect(await stateOf(id)).toBe('offline');
      tick(600_000);
      expect((await callApi(api, 'POST', `/api/agent/jobs/${l.job.id}/heartbeat`, api.agentA.token, { leaseToken: l.job.leaseToken })).status).toBe(200);
      expect(await row(id)).toMatchObject({ state: 'busy', last_seen_at: api.clock });
      // The reaper takes an expired lease back; the sweep then settles the device that holds nothing.
      tick(3_600_000);
      expect((await reclaimExpiredLeases(api.db, api.clock)).map((j) => j.id)).toContain(l.job.id);
      expect(await sweepDevices(api.db, OFFLINE_AFTER_MS * 1000, api.clock)).toContainEqual({ id, name: 'long-run', state: 'idle' });
    });

    it('gives one job per device: a second lease by a busy device is 409 LPCV_E_DEVICE_BUSY and leases nothing', async () => {
      const id = await register(api.agentA.token, 'one-at-a-time');
      const first = await submit();
      const second = await submit();
      const l = await leased(api.agentA.token, id);
      expect(l.job.submissionId).toBe(first);
      const again = await lease(api.agentA.token, id);
      expect({ status: again.status, code: codeOf(again) }).toEqual({ status: 409, code: 'LPCV_E_DEVICE_BUSY' });
      expect((again.body as { error: { message: string } }).error.message).toContain(`job ${l.job.id}`);
      const queued = (await api.db('jobs').where({ submission_id: second, state: 'queued' }).first('id')) as { id: number } | undefined;
      expect(queued).toBeDefined();
      // Another device of the same agent takes the second job meanwhile.
      const other = await register(api.agentA.token, 'one-at-a-time-2');
      expect((await leased(api.agentA.token, other)).job.submissionId).toBe(second);
      expect(await stateOf(id)).toBe('busy');
      // Once its job is finished, the first device leases again (nothing queued: 204).
      expect((await failRoute(api.agentA.token, l)).status).toBe(200);
      expect((await lease(api.agentA.token, id)).status).toBe(204);

      // Six lease requests of one device at once, six jobs queued: one job, five refusals. The connections
      // are opened first (PostgreSQL): else opening them spaces the requests out and there is no race at
      // all. Without the device row's lock in leaseForDevice this leased three of them on PostgreSQL.
      for (let i = 0; i < 6; i++) await submit();
      await Promise.all(Array.from({ length: 4 }, () => api.db.raw(api.db.dialect === 'postgres' ? 'SELECT pg_sleep(0.05)' : 'SELECT 1')));
      const all = await Promise.allSettled(
        Array.from({ length: 6 }, () => leaseForDevice(api.db, { deviceId: id, kind: 'desktop', leaseMs: 60_000 }, api.clock)),
      );
      expect(all.map((r) => (r.status === 'fulfilled' ? r.value.kind : (r.reason as LpcvError).code)).sort()).toEqual([
        'LPCV_E_DEVICE_BUSY',
        'LPCV_E_DEVICE_BUSY',
        'LPCV_E_DEVICE_BUSY',
        'LPCV_E_DEVICE_BUSY',
        'LPCV_E_DEVICE_BUSY',
        'job',
      ]);
      const mine = (await api
        .db('jobs')
        .where({ state: 'leased', leased_by: `device:${id}` })
        .select('id')) as Array<{ id: number }>;
      expect(mine).toHaveLength(1);
      for (const r of all)
        if (r.status === 'fulfilled' && r.value.kind === 'job')
          await failJob(
            api.db,
            { jobId: r.value.leased.job.id, token: r.value.leased.token, fault: 'submission', code: 'LPCV_E_MODEL_CRASHED', message: 'test' },
            api.clock,
          );
    });

    it('drains a device over the admin API: its running job finishes, it leases nothing until undrained, and the drain outlives a silence', async () => {
      const id = await register(api.agentB.token, 'drained-1');
      await submit();
      const running = await leased(api.agentB.token, id);
      const drained = await drain(id);
      expect(drained).toMatchObject({ status: 200, body: { id, state: 'draining', drained: true, drainedBy: 'admin (api)' } });
      // Its job still completes (and is scored); the device stays draining, not idle.
      const done = await complete(api.agentB.token, running, 2);
      expect(done).toMatchObject({ status: 200, body: { status: 'done' } });
      expect(await stateOf(id)).toBe('draining');
      await submit();
      const refused = await lease(api.agentB.token, id);
      expect(refused.status).toBe(204);
      expect(refused.headers.get('lpcv-device-state')).toBe('draining');
      // Silent: offline, still drained; back: draining again.
      await sweepDevices(api.db, OFFLINE_AFTER_MS, tick(OFFLINE_AFTER_MS + 1));
      expect((await adminDevices()).get(id)).toMatchObject({ state: 'offline', drained: true });
      await register(api.agentB.token, 'drained-1');
      expect(await stateOf(id)).toBe('draining');
      expect((await lease(api.agentB.token, id)).status).toBe(204);
      // Undrained, it leases the waiting job.
      expect(await drain(id, 'DELETE')).toMatchObject({ status: 200, body: { id, state: 'idle', drained: false, drainedAt: null } });
      const l = await leased(api.agentB.token, id);
      expect((await failRoute(api.agentB.token, l)).status).toBe(200);
    });

    it('keeps the admin device routes to the admin: token kinds, cookies, unknown ids', async () => {
      const id = await register(api.agentA.token, 'guarded');
      for (const [method, route] of [
        ['GET', '/api/admin/devices'],
        ['POST', `/api/admin/devices/${id}/drain`],
        ['DELETE', `/api/admin/devices/${id}/drain`],
      ] as const) {
        expect(codeOf(await callApi(api, method, route, undefined))).toBe('LPCV_E_UNAUTHORIZED');
        expect(codeOf(await callApi(api, method, route, api.agentA.token))).toBe('LPCV_E_UNAUTHORIZED');
        const team = await callApi(api, method, route, api.team.token);
        expect({ status: team.status, code: codeOf(team) }).toEqual({ status: 403, code: 'LPCV_E_FORBIDDEN' });
      }
      for (const bad of ['999999', 'abc', '0']) {
        const r = await callApi(api, 'POST', `/api/admin/devices/${bad}/drain`, TEST_ADMIN_TOKEN);
        expect({ status: r.status, code: codeOf(r) }).toEqual({ status: 404, code: 'LPCV_E_DEVICE_ID_UNKNOWN' });
      }
      // A logged-in admin's cookie reads the list but cannot drain through the API (the page's form can).
      const browser = new TestBrowser(api.url);
      const form = await browser.get('/login');
      expect((await browser.post('/login', { _csrf: TestBrowser.formToken(form), token: TEST_ADMIN_TOKEN, next: '/' })).status).toBe(303);
      const cookie = [...browser.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
      expect((await fetch(`${api.url}/api/admin/devices`, { headers: { cookie } })).status).toBe(200);
      expect((await fetch(`${api.url}/api/admin/devices/${id}/drain`, { method: 'POST', headers: { cookie } })).status).toBe(401);
      expect(await stateOf(id)).toBe('idle');
    });

    it('renders the admin page with states, current jobs and a drain button that works only with the form token', async () => {
      const idle = await register(api.agentA.token, 'page-idle');
      const busy = await register(api.agentB.token, 'page-busy');
      const submissionId = await submit();
      const l = await leased(api.agentB.token, busy);

      expect(await new TestBrowser(api.url).get('/admin/devices')).toMatchObject({ status: 303, location: '/login?next=%2Fadmin%2Fdevices' });
      const team = new TestBrowser(api.url);
      await team.post('/login', { _csrf: TestBrowser.formToken(await team.get('/login')), token: api.team.token, next: '/' });
      const refused = await team.get('/admin/devices');
      expect(refused.status).toBe(403);
      expect((await team.get('/')).body).not.toContain('href="/admin/devices"');

      const admin = new TestBrowser(api.url);
      await admin.post('/login', { _csrf: TestBrowser.formToken(await admin.get('/login')), token: TEST_ADMIN_TOKEN, next: '/' });
      expect((await admin.get('/')).body).toContain('href="/admin/devices"');
      const page = await admin.get('/admin/devices');
      expect(page.status).toBe(200);
      expect(page.body).not.toMatch(/<script/i);
      const rowOf = (body: string, id: number): string => {
        const m = new RegExp(`<tr id="device-${id}">([\\s\\S]*?)</tr>`).exec(body);
        expect(m, `row of device ${id}`).not.toBeNull();
        return m![1]!;
      };
      expect(rowOf(page.body, idle)).toContain('state-idle');
      expect(rowOf(page.body, idle)).toContain(`action="/admin/devices/${idle}/drain"`);
      expect(rowOf(page.body, busy)).toContain('state-busy');
      expect(rowOf(page.body, busy)).toContain(`href="/submissions/${submissionId}"`);

      // Without the form token nothing changes; with it the device is drained and the button turns to Undrain.
      const forged = await admin.post(`/admin/devices/${idle}/drain`, {});
      expect(forged.status).toBe(403);
      expect(forged.body).toContain('LPCV_E_CSRF');
      expect(await stateOf(idle)).toBe('idle');
      const csrf = TestBrowser.formToken(page);
      expect(await admin.post(`/admin/devices/${idle}/drain`, { _csrf: csrf })).toMatchObject({ status: 303, location: `/admin/devices#device-${idle}` });
      expect(await row(idle)).toMatchObject({ state: 'draining', drained_at: api.clock });
      const after = await admin.get('/admin/devices');
      expect(rowOf(after.body, idle)).toContain('state-draining');
      expect(rowOf(after.body, idle)).toContain(`action="/admin/devices/${idle}/undrain"`);
      // A team's browser with its own valid form token is still not an admin.
      expect((await team.post(`/admin/devices/${busy}/drain`, { _csrf: TestBrowser.formToken(await team.get('/')) })).status).toBe(403);
      expect(await stateOf(busy)).toBe('busy');
      expect(await admin.post(`/admin/devices/${idle}/undrain`, { _csrf: csrf })).toMatchObject({ status: 303 });
      expect(await stateOf(idle)).toBe('idle');
      expect((await failRoute(api.agentB.token, l)).status).toBe(200);
    });

    it('queues reference runs pinned to idle devices, which only their device leases, and keeps them off the leaderboard', async () => {
      // Every device of the earlier tests falls silent: only the two below are idle.
      await sweepDevices(api.db, OFFLINE_AFTER_MS, tick(10 * OFFLINE_AFTER_MS));
      const a = await register(api.agentA.token, 'ref-a');
      const b = await register(api.agentB.token, 'ref-b');
      const submissionsBefore = Number(((await api.db('submissions').count({ n: '*' })) as Array<{ n: number | string }>)[0]!.n);
      expect(await queueReferenceRuns(api.db, [api.track], CONFIG, api.clock)).toEqual([]);
      expect((await drain(b)).status).toBe(200);

      const log: string[] = [];
      await deviceSweeps({ db: api.db, tracks: [api.track], config: REFERENCE, log: (l) => log.push(l) })(api.clock);
      const runs = (await api.db('reference_runs').orderBy('id').select('job_id', 'device_id', 'baseline_name', 'submission_id')) as Array<{
        job_id: number;
        device_id: number;
        baseline_name: string;
        submission_id: string;
      }>;
      expect(runs).toEqual([{ job_id: runs[0]!.job_id, device_id: a, baseline_name: 'linear', submission_id: api.baselineSubmissionId }]);
      const jobA = runs[0]!.job_id;
      expect(log).toContainEqual(expect.stringContaining(`queued reference run job ${jobA} (fashion-mnist/linear) for device ${a} (ref-a)`));
      expect(await getJob(api.db, jobA)).toMatchObject({ state: 'queued', team: expect.any(String), submissionId: api.baselineSubmissionId });
      // Not twice while one is queued.
      expect(await queueReferenceRuns(api.db, [api.track], REFERENCE, tick(EVERY_MS))).toEqual([]);

      // Another device never leases it: not a test's leaser, not ref-b once undrained.
      expect(await leaseJob(api.db, { agentId: 'test-other', targetKinds: ['desktop'], leaseMs: 60_000 }, api.clock)).toBeNull();
      expect((await drain(b, 'DELETE')).status).toBe(200);
      expect((await lease(api.agentB.token, b)).status).toBe(204);
      expect((await getJob(api.db, jobA))?.state).toBe('queued');
      const la = await leased(api.agentA.token, a);
      expect(la.job).toMatchObject({ id: jobA, submissionId: api.baselineSubmissionId });
      expect((await adminDevices()).get(a)?.currentJob).toMatchObject({ id: jobA, reference: true });

      // ref-b is idle now: its own run, pinned to it.
      const [runB] = await queueReferenceRuns(api.db, [api.track], REFERENCE, api.clock);
      expect(runB).toMatchObject({ deviceId: b, deviceName: 'ref-b' });
      const lb = await leased(api.agentB.token, b);
      expect(lb.job.id).toBe(runB!.jobId);

      expect(await complete(api.agentA.token, la, 10)).toMatchObject({ status: 200, body: { status: 'done' } });
      expect((await adminDevices()).get(a)).toMatchObject({
        state: 'idle',
        drifted: false,
        drift: { referenceP50Ms: 10, latestP50Ms: 10, runs: 1, baseline: 'linear' },
      });
      expect(await complete(api.agentB.token, lb, 20)).toMatchObject({ status: 200, body: { status: 'done' } });
      // Both idle: ref-a's last run started a period ago, ref-b's just now (not again yet).
      const next = await queueReferenceRuns(api.db, [api.track], REFERENCE, api.clock);
      expect(next.map((r) => r.deviceId)).toEqual([a]);
      const second = await leased(api.agentA.token, a);
      expect(second.job.id).toBe(next[0]!.jobId);
      expect(await complete(api.agentA.token, second, 10)).toMatchObject({ status: 200, body: { status: 'done' } });
      expect((await adminDevices()).get(a)).toMatchObject({ drifted: false, drift: { referenceP50Ms: 10, latestP50Ms: 10, runs: 2 } });
      expect((await adminDevices()).get(b)).toMatchObject({ drifted: false, drift: { referenceP50Ms: 20, runs: 1 } });

      // Reference runs are no entries and no submissions: the baseline shows once, with its own result.
      expect(Number(((await api.db('submissions').count({ n: '*' })) as Array<{ n: number | string }>)[0]!.n)).toBe(submissionsBefore);
      const board = await buildLeaderboard(api.db, api.track, { kind: 'admin' });
      const linear = board.entries.filter((e) => e.baseline === 'linear');
      expect(linear.map((e) => ({ submission: e.submission, p50: e.latency?.p50 }))).toEqual([{ submission: api.baselineSubmissionId, p50: 0.5 }]);
      const shown = await callApi(api, 'GET', '/api/leaderboard/fashion-mnist', TEST_ADMIN_TOKEN);
      expect((shown.body as { entries: unknown[] }).entries).toHaveLength(board.entries.length);
    });

    it('flags drift at the threshold and not below it', async () => {
      const a = (await api.db('devices').where('name', 'ref-a').first('id')) as { id: number };
      const runOnce = async (latencyMs: number): Promise<AdminDevice> => {
        tick(EVERY_MS);
        await register(api.agentA.token, 'ref-a');
        const queued = await queueReferenceRuns(api.db, [api.track], REFERENCE, api.clock);
        expect(queued.map((q) => q.deviceId)).toContain(a.id);
        const l = await leased(api.agentA.token, a.id);
        expect(l.job.id).toBe(queued.find((q) => q.deviceId === a.id)!.jobId);
        expect(await complete(api.agentA.token, l, latencyMs)).toMatchObject({ status: 200, body: { status: 'done' } });
        return (await adminDevices()).get(a.id)!;
      };
      // The reference point is ref-a's first run: 10 ms. 9% slower is not drift at 10%; 10% is.
      expect(await runOnce(10.9)).toMatchObject({ drifted: false, drift: { referenceP50Ms: 10, latestP50Ms: 10.9, drifted: false, runs: 3 } });
      const at = await runOnce(11);
      expect(at).toMatchObject({ drifted: true, drift: { referenceP50Ms: 10, latestP50Ms: 11, drifted: true, runs: 4 } });
      expect(at.drift!.changePct).toBeCloseTo(10, 9);
      // Faster by as much counts too; back within the threshold clears the flag.
      expect(await runOnce(9)).toMatchObject({ drifted: true, drift: { latestP50Ms: 9 } });
      expect(await runOnce(10.5)).toMatchObject({ drifted: false });

      const admin = new TestBrowser(api.url);
      await admin.post('/login', { _csrf: TestBrowser.formToken(await admin.get('/login')), token: TEST_ADMIN_TOKEN, next: '/' });
      await runOnce(12);
      const page = await admin.get('/admin/devices');
      expect(new RegExp(`<tr id="device-${a.id}">[\\s\\S]*?drifted[\\s\\S]*?</tr>`).test(page.body)).toBe(true);
      expect(api.internalErrors).toEqual([]);
    });
  });
}
