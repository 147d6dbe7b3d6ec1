import { describe, expect, it } from 'vitest';
import type { LayerProfile } from '../../harness/layer-profile.js';
import { fixtureBytes } from '../../test/testing/onnx-fixtures.js';
import { sqliteTestDatabase } from '../db/testing/databases.js';
import { useTestDatabase } from '../db/testing/suite-hooks.js';
import { registerDevice } from '../devices/agent-devices-table.js';
import { leaseHolder } from '../devices/index.js';
import { startTestApi, type TestApi } from '../http/testing/api-server.js';
import { T0, TEST_ADMIN_TOKEN } from '../http/testing/test-server.js';
import { completeWithRecord, resultRecord } from '../leaderboard/testing/results.js';
import { failJob, heartbeatJob, leaseJob } from '../queue/index.js';
import { TestBrowser, type PageAnswer } from './testing/browser.js';

const tiny = fixtureBytes('tiny-conv.onnx');

describe('the pages, over HTTP on SQLite', () => {
  const database = sqliteTestDatabase();
  let api: TestApi;
  useTestDatabase(database, {
    setUp: async () => void (api = await startTestApi(database, 'pages')),
    tearDown: async () => api?.close(),
  });

  const count = async (table: string): Promise<number> => Number(((await api.db(table).count({ n: '*' })) as Array<{ n: number | string }>)[0]!.n);

  async function loggedIn(token: string): Promise<TestBrowser> {
    const b = new TestBrowser(api.url);
    const form = await b.get('/login');
    const res = await b.post('/login', { _csrf: TestBrowser.formToken(form), token, next: '/' });
    expect(res.status).toBe(303);
    return b;
  }

  async function submitThroughForm(b: TestBrowser, file: Uint8Array, description: string, token?: string): Promise<PageAnswer> {
    const form = await b.get('/submit');
    expect(form.status).toBe(200);
    return b.postMultipart('/submit', [
      ['_csrf', TestBrowser.formToken(form)],
      ...(token !== undefined ? [['token', token] as const] : []),
      ['track', 'fashion-mnist'],
      ['description', description],
      ['file', file, 'my model.onnx'],
    ]);
  }

  const idFrom = (res: PageAnswer): string => {
    expect(res.status).toBe(303);
    const m = /^\/submissions\/([A-Za-z0-9_-]{16})$/.exec(res.location ?? '');
    expect(m, `redirect to ${res.location}`).not.toBeNull();
    return m![1]!;
  };

  it('serves the home page in English without any script, with the security headers', async () => {
    const res = await new TestBrowser(api.url).get('/');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(res.body).toContain('<html lang="en">');
    expect(res.body).toContain('href="/leaderboard/fashion-mnist"');
    expect(res.body).not.toMatch(/<script/i);
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(res.headers.get('content-security-policy')).toContain("form-action 'self'");
    const css = await fetch(`${api.url}/static/style.css`);
    expect(css.status).toBe(200);
    expect(css.headers.get('content-type')).toMatch(/^text\/css/);
  });

  it('answers /favicon.ico with an empty, cacheable 204 instead of a 404', async () => {
    const icon = await fetch(`${api.url}/favicon.ico`);
    expect(icon.status).toBe(204);
    expect(icon.headers.get('cache-control')).toBe('public, max-age=86400');
    expect(await icon.text()).toBe('');
  });

  it('logs a team in with its token (a session cookie, never the token) and out again, revoking the session', async () => {
    const b = new TestBrowser(api.url);
    const form = await b.get('/login?next=/submit');
    expect(b.cookies.has('lpcv_csrf')).toBe(true);
    const csrf = TestBrowser.formToken(form);

    const noToken = await b.post('/login', { token: api.teamA.token });
    expect(noToken.status).toBe(403);
    expect(noToken.body).toContain('LPCV_E_CSRF');
    const wrong = await b.post('/login', { _csrf: csrf, token: 'lpcv_team_guess' });
    expect(wrong.status).toBe(401);
    expect(wrong.body).toContain('LPCV_E_UNAUTHORIZED');
    expect(wrong.body).toContain('aria-invalid="true"');
    const agentToken = await b.post('/login', { _csrf: csrf, token: api.agent.token });
    expect(agentToken.status).toBe(401);

    const ok = await b.post('/login', { _csrf: csrf, token: api.teamA.token, next: '/submit' });
    expect(ok).toMatchObject({ status: 303, location: '/submit' });
    const session = b.cookies.get('lpcv_session')!;
    expect(session).toMatch(/^lpcv_session_/);
    expect([...b.cookies.values()].join(' ')).not.toContain(api.teamA.token);
    const home = await b.get('/');
    expect(home.body).toContain(`Team <strong>${api.teamA.name}</strong>`);

    const out = await b.post('/logout', { _csrf: TestBrowser.formToken(home) });
    expect(out).toMatchObject({ status: 303, location: '/' });
    expect(b.cookies.has('lpcv_session')).toBe(false);
    // The old cookie is dead on the server too, not only forgotten by this browser.
    const replay = new TestBrowser(api.url);
    replay.cookies.set('lpcv_session', session);
    expect((await replay.get('/')).body).toContain('href="/login"');
    // A next that leaves the site is not followed.
    const away = await b.post('/login', { _csrf: csrf, token: api.teamA.token, next: '//evil.example/x' });
    expect(away.location).toBe('/');
  });

  it('refuses a form sent from another site, even one that carries a valid form token', async () => {
    const b = new TestBrowser(api.url);
    const csrf = TestBrowser.formToken(await b.get('/login'));
    const foreign = await b.post('/login', { _csrf: csrf, token: api.teamA.token }, { origin: 'http://evil.example' });
    expect(foreign.status).toBe(403);
    expect(foreign.body).toContain('LPCV_E_CSRF');
    const fetchSite = await b.post('/login', { _csrf: csrf, token: api.teamA.token }, { 'sec-fetch-site': 'cross-site' });
    expect(fetchSite.status).toBe(403);
    // Another browser's token does not fit this browser's cookie.
    const other = new TestBrowser(api.url);
    const otherCsrf = TestBrowser.formToken(await other.get('/login'));
    expect((await b.post('/login', { _csrf: otherCsrf, token: api.teamA.token })).status).toBe(403);
  });

  it('takes a submission through the form with a pasted team token, logs the browser in and shows the queued status', async () => {
    const b = new TestBrowser(api.url);
    const id = idFrom(await submitThroughForm(b, tiny, 'first <b>try</b>', api.teamA.token));
    expect(b.cookies.get('lpcv_session')).toMatch(/^lpcv_session_/);
    const row = (await api.db('submissions').where('id', id).first()) as { team_id: number; description: string; filename: string };
    expect(row).toMatchObject({ team_id: api.teamA.id, description: 'first <b>try</b>', filename: 'my model.onnx' });

    const status = await b.get(`/submissions/${id}`);
    expect(status.status).toBe(200);
    expect(status.body).toContain('Status: queued');
    expect(status.body).toMatch(/Queued: (it is next|\d+ jobs? ahead of it)\./);
    expect(status.body).toContain('<meta http-equiv="refresh" content="5">');
    expect(status.body).toContain('first &lt;b&gt;try&lt;/b&gt;');
    expect(status.body).not.toContain('<b>try</b>');
    expect((await b.get(`/submissions/${id}?refresh=off`)).body).not.toContain('http-equiv="refresh"');

    const teamB = await loggedIn(api.teamB.token);
    expect((await teamB.get(`/submissions/${id}`)).status).toBe(404);
    const anonymous = await new TestBrowser(api.url).get(`/submissions/${id}`);
    expect(anonymous).toMatchObject({ status: 303, location: `/login?next=${encodeURIComponent(`/submissions/${id}`)}` });
    const admin = await loggedIn(TEST_ADMIN_TOKEN);
    expect((await admin.get(`/submissions/${id}`)).status).toBe(200);
  });

  it('shows the form again with the error and the description for a refused upload, storing nothing', async () => {
    const b = await loggedIn(api.teamB.token);
    const before = { files: api.storedFiles(), submissions: await count('submissions') };
    const refused = await submitThroughForm(b, new TextEncoder().encode('this is not a model at all'), 'my notes');
    expect(refused.status).toBe(415);
    expect(refused.body).toMatch(/LPCV_E_MODEL_(NOT_ONNX|FORMAT)/);
    expect(refused.body).toContain('>my notes</textarea>');
    expect(refused.body).toContain('role="alert"');

    const form = await b.get('/submit');
    const noCsrf = await b.postMultipart('/submit', [
      ['track', 'fashion-mnist'],
      ['file', tiny, 'm.onnx'],
    ]);
    expect(noCsrf.status).toBe(403);
    expect(noCsrf.body).toContain('LPCV_E_CSRF');
    const anonymous = new TestBrowser(api.url);
    const noTeam = await anonymous.postMultipart('/submit', [
      ['_csrf', TestBrowser.formToken(await anonymous.get('/submit'))],
      ['token', 'lpcv_team_nope'],
      ['track', 'fashion-mnist'],
      ['file', tiny, 'm.onnx'],
    ]);
    expect(noTeam.status).toBe(401);
    const unknownTrack = await b.postMultipart('/submit', [
      ['_csrf', TestBrowser.formToken(form)],
      ['track', '../../etc'],
      ['file', tiny, 'm.onnx'],
    ]);
    expect(unknownTrack.status).toBe(404);
    expect(unknownTrack.body).toContain('LPCV_E_TRACK_UNKNOWN');
    expect({ files: api.storedFiles(), submissions: await count('submissions') }).toEqual(before);
  });

  it("shows the device and its progress while running, then the result, or the failure's code", async () => {
    const b = await loggedIn(api.teamB.token);
    const id = idFrom(await submitThroughForm(b, tiny, 'to be measured'));
    const failing = idFrom(await submitThroughForm(b, tiny, 'to fail'));
    const device = await registerDevice(api.db, { agentId: api.agent.id, name: 'bench-01', kind: 'desktop', capabilities: {} }, T0);
    const leases = new Map<string, { jobId: number; token: string }>();
    for (;;) {
      const leased = await leaseJob(api.db, { agentId: leaseHolder(device.id), targetKinds: ['desktop'], leaseMs: 60_000 }, T0 + 1_000_000);
      if (leased === null) break;
      leases.set(leased.job.submissionId, { jobId: leased.job.id, token: leased.token });
    }
    const held = leases.get(id)!;
    expect((await b.get(`/submissions/${id}`)).body).toContain('preparing');
    await heartbeatJob(
      api.db,
      { jobId: held.jobId, token: held.token, leaseMs: 60_000, progress: { phase: 'accuracy', fraction: 0.25, done: 2000, total: 8000 } },
      T0 + 1_000_010,
    );
    const running = await b.get(`/submissions/${id}`);
    expect(running.body).toContain('Status: running');
    expect(running.body).toContain('<strong>bench-01</strong> (desktop, agent pages-agent)');
    expect(running.body).toContain('<progress id="progress" max="1" value="0.25">');
    expect(running.body).toContain('2,000 of 8,000');

    expect(await completeWithRecord(api.db, held, resultRecord('fashion-mnist', 'test', { top1: 0.9123, p50: 0.2, score: 4561.5 }), T0 + 1_000_020)).toBe(true);
    const done = await b.get(`/submissions/${id}`);
    expect(done.body).toContain('Status: done');
    expect(done.body).toContain('91.23%');
    expect(done.body).toContain('<strong>4,562</strong>');
    expect(done.body).toContain('not measured: no power sensor on this target');
    expect(done.body).not.toContain('http-equiv="refresh"');
    expect(done.body).toMatch(/leased → done/);

    const f = leases.get(failing)!;
    await failJob(
      api.db,
      { jobId: f.jobId, token: f.token, fault: 'submission', code: 'LPCV_E_MODEL_OUTPUT_NAN', message: 'the model produced NaN on image 00017' },
      T0 + 1_000_030,
    );
    const failed = await b.get(`/submissions/${failing}`);
    expect(failed.body).toContain('Status: failed');
    expect(failed.body).toContain('<code>LPCV_E_MODEL_OUTPUT_NAN</code>: the submission failed.');
    expect(failed.body).toContain('the model produced NaN on image 00017');

    const list = await b.get('/submissions');
    expect(list.body).toContain(`href="/submissions/${id}"`);
    expect(list.body).toContain(`href="/submissions/${failing}"`);
    expect(list.body).toContain('LPCV_E_MODEL_OUTPUT_NAN');
  });

  it('draws the leaderboard with its scatter, keeps hidden results private, and lets the admin reveal them from the page', async () => {
    const anonymous = new TestBrowser(api.url);
    const before = await anonymous.get('/leaderboard/fashion-mnist');
    expect(before.status).toBe(200);
    expect(before.body).toContain('Results stay private to each team until the organizers reveal them');
    expect(before.body).toContain('1 other entry is not shown yet');
    expect(before.body).not.toContain('<svg');

    const teamB = await loggedIn(api.teamB.token);
    const own = await teamB.get('/leaderboard/fashion-mnist');
    expect(own.body).toContain('<svg');
    expect(own.body).toMatch(/data-points="1"/);
    expect(own.body).toContain('91.23%');
    expect(own.body).not.toContain('/reveal');

    const admin = await loggedIn(TEST_ADMIN_TOKEN);
    const page = await admin.get('/leaderboard/fashion-mnist');
    expect(page.body).toContain('action="/leaderboard/fashion-mnist/reveal"');
    expect((await teamB.post('/leaderboard/fashion-mnist/reveal', { _csrf: TestBrowser.formToken(own) })).status).toBe(403);
    const revealed = await admin.post('/leaderboard/fashion-mnist/reveal', { _csrf: TestBrowser.formToken(page) });
    expect(revealed).toMatchObject({ status: 303, location: '/leaderboard/fashion-mnist' });

    const after = await anonymous.get('/leaderboard/fashion-mnist');
    expect(after.body).toContain('the organizers revealed the results');
    expect(after.body).toMatch(/<td class="num">1<\/td>\s*<th scope="row">pages-b/);
    expect(after.body).toContain('role="img"');
    expect(after.body).toMatch(/<circle class="point pareto"/);
    expect(after.body).toContain('<title id="plot-title">Top-1 versus median latency</title>');
    // Another team's submission id is shown, but not linked.
    expect(after.body).not.toMatch(/href="\/submissions\//);
  });

  it('answers an unknown page with an HTML 404 and an unknown API route with JSON', async () => {
    const page = await new TestBrowser(api.url).get('/no/such/page');
    expect(page.status).toBe(404);
    expect(page.body).toContain('LPCV_E_ROUTE_UNKNOWN');
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    const track = await new TestBrowser(api.url).get('/leaderboard/nope');
    expect(track.status).toBe(404);
    expect(track.body).toContain('LPCV_E_TRACK_UNKNOWN');
    const json = await fetch(`${api.url}/api/no-such-route`);
    expect(json.status).toBe(404);
    expect(((await json.json()) as { error: { code: string } }).error.code).toBe('LPCV_E_ROUTE_UNKNOWN');
    expect(api.internalErrors).toEqual([]);
  });

  // Last of the block: its two done results would change the leaderboard that the tests above count.
  it("shows a result's measured per-layer profile beside its MACs and CIO, escaped; a result without one shows no table", async () => {
    const b = await loggedIn(api.teamA.token);
    const profiled = idFrom(await submitThroughForm(b, tiny, 'with a profile'));
    const plain = idFrom(await submitThroughForm(b, tiny, 'without a profile'));
    const leases = new Map<string, { jobId: number; token: string }>();
    for (;;) {
      const leased = await leaseJob(api.db, { agentId: 'pages-profile-device', targetKinds: ['desktop'], leaseMs: 60_000 }, T0 + 2_000_000);
      if (leased === null) break;
      leases.set(leased.job.submissionId, { jobId: leased.job.id, token: leased.token });
    }
    const profile: LayerProfile = {
      runs: 30,
      totalMs: 0.2,
      nodes: [
        { name: '/stages/stages.0/conv1/Conv', op: 'Conv', ms: 0.034, share: 0.17, macs: 1_806_336, cio: 12_544 },
        { name: 'ReorderOutput', op: 'ReorderOutput', ms: 0.0027, share: 0.0135, macs: null, cio: null },
        { name: '<img src=x onerror=alert(1)>', op: 'Gemm', ms: 0.002, share: 0.01, macs: 640, cio: null },
      ],
    };
    const record = resultRecord('fashion-mnist', 'test', { top1: 0.9, p50: 0.2, score: 4500 });
    expect(await completeWithRecord(api.db, leases.get(profiled)!, { ...record, profile }, T0 + 2_000_010)).toBe(true);
    expect(await completeWithRecord(api.db, leases.get(plain)!, record, T0 + 2_000_020)).toBe(true);

    const page = (await b.get(`/submissions/${profiled}`)).body;
    expect(page).toContain('<table id="profile">');
    expect(page).toContain('over 30 runs after the timed ones, 0.200 ms of layer time per run');
    const rows = [...page.matchAll(/<tr><td><code>(.*?)<\/code><\/td>(.*?)<\/tr>/g)].map((m) => [
      m[1],
      ...[...m[2]!.matchAll(/<td[^>]*>(.*?)<\/td>/g)].map((c) => c[1]),
    ]);
    expect(rows).toEqual([
      ['/stages/stages.0/conv1/Conv', 'Conv', '0.0340 ms', '17.00%', '1,806,336', '12,544'],
      ['ReorderOutput', 'ReorderOutput', '0.00270 ms', '1.35%', '—', '—'],
      ['&lt;img src=x onerror=alert(1)&gt;', 'Gemm', '0.00200 ms', '1.00%', '640', '—'],
    ]);
    expect(page).not.toContain('<img src=x');

    const without = (await b.get(`/submissions/${plain}`)).body;
    expect(without).toContain('Status: done');
    expect(without).not.toContain('id="profile"');
    expect(without).not.toContain('Layers by measured time');
  });
});
