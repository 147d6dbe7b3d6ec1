/**
 * The organizers' re-runs over real HTTP (the API and the admin page), on every database
 * (admin-operations.sqlite.test.ts, admin-operations.postgres.test.ts). Every test makes its own teams, so
 * they share one server and database; jobs are run right after they are submitted, so that the queue's fair
 * order never decides which job a test gets.
 */
import { describe, expect, it } from 'vitest';
import type { TestDatabase } from '../../db/testing/databases.js';
import { useTestDatabase } from '../../db/testing/suite-hooks.js';
import { call } from '../../http/testing/test-server.js';
import { TestBrowser } from '../../pages/testing/browser.js';
import { countQuotaUsed, quotaWindow } from '../../quota/index.js';
import { getJobEvents, getJobs } from '../../queue/index.js';
import { getJobLogs, recordJobLogs } from '../../submissions/job-logs.js';
import { listRecentAdminAudit } from '../admin-audit.js';
import { startOperationsServer, T0, TEST_ADMIN_TOKEN, type OperationsServer } from './operations-server.js';

const SAMPLE = 'fashion-mnist';
const PUBLIC = 'fashion-public';
let teams = 0;

interface RerunAnswer {
  requeued: number[];
  skipped: Array<{ jobId: number; state: string }>;
  auditId: number;
}

export function adminOperationsContract(backend: TestDatabase): void {
  describe(`organizer re-runs on ${backend.name}`, () => {
    let api: OperationsServer;
    useTestDatabase(backend, {
      // The sample track allows two submissions per team and day, to show that a re-run costs none.
      setUp: async () => void (api = await startOperationsServer(backend, { quota: { perDay: 0, perTrack: { [SAMPLE]: 2 } } })),
      tearDown: async () => {
        expect(api.internalErrors).toEqual([]);
        await api.close();
      },
    });

    const team = () => api.team(`ops-team-${++teams}`);
    const jobsOf = async (submission: string): Promise<number[]> => {
      const row = (await api.db('submissions').where('id', submission).first('job_id', 'public_job_id')) as { job_id: number; public_job_id: number | null };
      return row.public_job_id === null ? [row.job_id] : [row.job_id, row.public_job_id];
    };
    const stateOf = async (ids: number[]): Promise<string[]> => (await getJobs(api.db, ids)).map((j) => j.state);
    const resultCount = async (ids: number[]): Promise<number> =>
      Number(((await api.db('results').whereIn('job_id', ids).count({ n: '*' })) as Array<{ n: number | string }>)[0]!.n);
    const post = async (route: string, body?: unknown): Promise<RerunAnswer> => {
      const res = await call(api, 'POST', route, TEST_ADMIN_TOKEN, body);
      expect(res.status, await res.clone().text()).toBe(200);
      return (await res.json()) as RerunAnswer;
    };

    it('re-runs both jobs of a submission on a track with a public split, deletes their results, and audits it', async () => {
      const t = await team();
      const id = await api.submit(t, PUBLIC);
      await api.runNext('done');
      await api.runNext('done');
      const jobs = await jobsOf(id);
      expect(await resultCount(jobs)).toBe(2);
      const tails = { stdout: { text: 'first run', truncated: false } };
      await recordJobLogs(api.db, { jobId: jobs[0]!, attempt: 1, logs: tails }, T0);

      const answer = await post(`/api/admin/submissions/${id}/rerun`, { reason: 'board re-flashed' });
      expect(answer.requeued).toEqual(jobs);
      expect(answer.skipped).toEqual([]);
      expect(await stateOf(jobs)).toEqual(['queued', 'queued']);
      expect(await resultCount(jobs)).toBe(0);
      // The old run's tails went with its result: the re-run's attempt 1 reports its own.
      expect(await getJobLogs(api.db, jobs[0]!)).toEqual([]);
      for (const job of jobs) {
        expect((await getJobEvents(api.db, job)).at(-1)).toMatchObject({ fromState: 'done', toState: 'queued', actor: 'admin (api)' });
      }
      const [audit] = await listRecentAdminAudit(api.db, 1);
      expect(audit).toMatchObject({ id: answer.auditId, actor: 'admin (api)', action: 'rerun-submission' });
      expect(audit!.detail).toEqual({ submission: id, reason: 'board re-flashed', requeued: jobs, skipped: [] });

      // Again while queued: nothing to do, and it says so (audited all the same).
      const again = await post(`/api/admin/submissions/${id}/rerun`);
      expect(again).toMatchObject({ requeued: [], skipped: jobs.map((jobId) => ({ jobId, state: 'queued' })) });
      expect(again.auditId).toBeGreaterThan(answer.auditId);
      // Finished again, the submission has a result per job once more.
      await api.runNext('done');
      await api.runNext('done');
      expect(await resultCount(jobs)).toBe(2);
    });

    it('costs no quota: a re-run adds no submission, and the count is what it was before the job finished', async () => {
      const t = await team();
      const subject = { teamId: t.id, track: SAMPLE };
      const used = () => countQuotaUsed(api.db, subject, quotaWindow(T0));
      const done = await api.submit(t, SAMPLE);
      await api.runNext('done');
      const dead = await api.submit(t, SAMPLE);
      await api.runNext('dead');
      // The dead submission is not counted: one more upload is allowed today.
      expect(await used()).toBe(1);
      await post(`/api/admin/submissions/${done}/rerun`);
      expect(await used()).toBe(1);
      // Re-running the dead one is the organizers' doing: it is not charged, queued, done or dead again.
      await post(`/api/admin/submissions/${dead}/rerun`);
      expect(await used()).toBe(1);
      const rows = (await api.db('submissions').where('team_id', t.id).pluck('id')) as string[];
      expect(rows.sort()).toEqual([done, dead].sort());
      await api.runNext('done');
      await api.runNext('done');
      expect(await used()).toBe(1);
    });

    it('re-runs the dead jobs, of one track or of all, and leaves the others alone', async () => {
      const t = await team();
      const deadSample = await api.submit(t, SAMPLE);
      await api.runNext('dead');
      const doneSample = await api.submit(t, SAMPLE);
      await api.runNext('done');
      const deadPublic = await api.submit(t, PUBLIC);
      await api.runNext('dead');
      await api.runNext('failed');
      const [publicDead, publicFailed] = await jobsOf(deadPublic);

      const sampleOnly = await post('/api/admin/jobs/rerun-dead', { track: SAMPLE, reason: 'device fixed' });
      expect(sampleOnly.requeued).toContain((await jobsOf(deadSample))[0]);
      expect(sampleOnly.requeued).not.toContain(publicDead);
      expect(await stateOf([publicDead!, publicFailed!])).toEqual(['dead', 'failed']);
      expect(await stateOf(await jobsOf(doneSample))).toEqual(['done']);

      const all = await post('/api/admin/jobs/rerun-dead');
      expect(all.requeued).toContain(publicDead);
      expect(await stateOf([publicDead!, publicFailed!])).toEqual(['queued', 'failed']);
      expect((await listRecentAdminAudit(api.db, 1))[0]).toMatchObject({ action: 'rerun-dead', detail: { reason: '' } });
      while ((await getJobs(api.db, all.requeued)).some((j) => j.state === 'queued')) await api.runNext('done');
    });

    it('re-runs every entry of a track, the baselines only when asked; a running job is skipped', async () => {
      const [a, b, base] = [await team(), await team(), await team()];
      const fromA = await api.submit(a, SAMPLE);
      await api.runNext('done');
      const fromB = await api.submit(b, SAMPLE);
      await api.runNext('failed');
      const baseline = await api.submit(base, SAMPLE);
      await api.runNext('done');
      await api.db('submissions').where('id', baseline).update({ baseline_name: 'linear' });
      const [jobA, jobB, jobBase] = [(await jobsOf(fromA))[0]!, (await jobsOf(fromB))[0]!, (await jobsOf(baseline))[0]!];

      const entries = await post(`/api/admin/tracks/${SAMPLE}/rerun`, { reason: 'new firmware' });
      expect(entries.requeued).toEqual(expect.arrayContaining([jobA, jobB]));
      expect(entries.requeued).not.toContain(jobBase);
      expect(await stateOf([jobBase])).toEqual(['done']);
      expect((await listRecentAdminAudit(api.db, 1))[0]).toMatchObject({ action: 'rerun-track', detail: { track: SAMPLE, includeBaselines: false } });

      const withBaselines = await post(`/api/admin/tracks/${SAMPLE}/rerun`, { includeBaselines: true });
      expect(withBaselines.requeued).toContain(jobBase);
      expect(withBaselines.skipped).toEqual(expect.arrayContaining([{ jobId: jobA, state: 'queued' }]));
      while ((await getJobs(api.db, withBaselines.requeued)).some((j) => j.state === 'queued')) await api.runNext('done');
    });

    it('takes the admin token as a bearer token only, and refuses unknown names and bad bodies with their codes', async () => {
      const t = await team();
      const id = await api.submit(t, SAMPLE);
      await api.runNext('done');
      const code = async (res: Response): Promise<[number, string]> => [res.status, ((await res.json()) as { error: { code: string } }).error.code];
      expect(await code(await call(api, 'POST', `/api/admin/submissions/${id}/rerun`, undefined))).toEqual([401, 'LPCV_E_UNAUTHORIZED']);
      expect(await code(await call(api, 'POST', `/api/admin/submissions/${id}/rerun`, t.token))).toEqual([403, 'LPCV_E_FORBIDDEN']);
      expect(await code(await call(api, 'POST', '/api/admin/submissions/nope/rerun', TEST_ADMIN_TOKEN))).toEqual([404, 'LPCV_E_SUBMISSION_UNKNOWN']);
      expect(await code(await call(api, 'POST', '/api/admin/tracks/nope/rerun', TEST_ADMIN_TOKEN))).toEqual([404, 'LPCV_E_TRACK_UNKNOWN']);
      expect(await code(await call(api, 'POST', '/api/admin/jobs/rerun-dead', TEST_ADMIN_TOKEN, { track: 'nope' }))).toEqual([404, 'LPCV_E_TRACK_UNKNOWN']);
      expect(await code(await call(api, 'POST', `/api/admin/tracks/${SAMPLE}/rerun`, TEST_ADMIN_TOKEN, { includeBaselines: 'yes' }))).toEqual([
        400,
        'LPCV_E_BAD_REQUEST',
      ]);
      // An admin's login cookie alone changes nothing over the API.
      const browser = await adminBrowser(api);
      const cookieOnly = await browser.post(`/api/admin/submissions/${id}/rerun`, {});
      expect(cookieOnly.status).toBe(401);
      expect(await stateOf(await jobsOf(id))).toEqual(['done']);
    });

    it('offers the three re-runs as forms on the admin page, checks the form token, and lists the audit', async () => {
      const t = await team();
      const id = await api.submit(t, SAMPLE);
      await api.runNext('done');
      const anonymous = await new TestBrowser(api.url).get('/admin/operations');
      expect([anonymous.status, anonymous.location]).toEqual([303, '/login?next=%2Fadmin%2Foperations']);

      const browser = await adminBrowser(api);
      const page = await browser.get('/admin/operations');
      expect(page.status).toBe(200);
      for (const action of ['rerun-submission', 'rerun-dead', 'rerun-track']) expect(page.body).toContain(`action="/admin/operations/${action}"`);
      expect(page.body).toContain('<label for="submission">');
      expect(page.body).toContain('href="/api/admin/export.zip"');
      expect(page.body).not.toContain('<script');

      const refused = await browser.post('/admin/operations/rerun-submission', { submission: id });
      expect([refused.status, refused.body.includes('LPCV_E_CSRF')]).toEqual([403, true]);
      expect(await stateOf(await jobsOf(id))).toEqual(['done']);

      const sent = await browser.post('/admin/operations/rerun-submission', { _csrf: TestBrowser.formToken(page), submission: id, reason: 'from the page' });
      const [audit] = await listRecentAdminAudit(api.db, 1);
      expect([sent.status, sent.location]).toEqual([303, `/admin/operations#audit-${audit!.id}`]);
      expect(audit).toMatchObject({ actor: 'admin (web)', action: 'rerun-submission', detail: { submission: id, reason: 'from the page' } });
      expect(await stateOf(await jobsOf(id))).toEqual(['queued']);
      const after = await browser.get('/admin/operations');
      expect(after.body).toContain(`<tr id="audit-${audit!.id}">`);
      expect(after.body).toContain('1 job(s) re-queued');

      const unknown = await browser.post('/admin/operations/rerun-track', { _csrf: TestBrowser.formToken(page), track: 'nope' });
      expect([unknown.status, unknown.body.includes('LPCV_E_TRACK_UNKNOWN')]).toEqual([404, true]);
      const asTeam = new TestBrowser(api.url);
      const login = await asTeam.get('/login');
      await asTeam.post('/login', { _csrf: TestBrowser.formToken(login), token: t.token });
      expect((await asTeam.get('/admin/operations')).status).toBe(403);
      await api.runNext('done');
    });
  });
}

/** A browser logged in with the admin token through the login form. */
async function adminBrowser(api: OperationsServer): Promise<TestBrowser> {
  const browser = new TestBrowser(api.url);
  const login = await browser.get('/login');
  const res = await browser.post('/login', { _csrf: TestBrowser.formToken(login), token: TEST_ADMIN_TOKEN });
  if (res.status !== 303) throw new Error(`admin login answered ${res.status}`);
  return browser;
}
