/**
 * The leaderboard page's public/private boards, tie markers and the admin's re-score form (with the form
 * token), over HTTP on SQLite, with results completed through the real agent API.
 */
import { describe, expect, it } from 'vitest';
import type { CreatedOwner } from '../auth/index.js';
import { sqliteTestDatabase } from '../db/testing/databases.js';
import { useTestDatabase } from '../db/testing/suite-hooks.js';
import { TEST_ADMIN_TOKEN } from '../http/testing/test-server.js';
import { completeQueuedJobs, samplesAround, startRescoreTestApi, submitAs, type ChosenRun, type RescoreTestApi } from '../rescore/testing/rescore-server.js';
import { TestBrowser } from './testing/browser.js';

describe('the leaderboard page: public and private boards, ties, and the re-score form', () => {
  const database = sqliteTestDatabase();
  let api: RescoreTestApi;
  const teams: Record<string, CreatedOwner> = {};
  const runs = new Map<string, ChosenRun>();
  useTestDatabase(database, {
    setUp: async () => {
      api = await startRescoreTestApi(database);
      // test (private, N=8000) and val (public, N=2000): F and G tie on the private board (same count,
      // same latency samples); H is the most accurate and the slowest.
      const plan: Record<string, [number, number, number, number]> = { F: [7200, 1, 1800, 1], G: [7200, 1, 1700, 1], H: [6000, 4, 1990, 4] };
      for (const [t, [test, testMs, val, valMs]] of Object.entries(plan)) {
        teams[t] = await api.team(`page-${t}`);
        const id = await submitAs(api, teams[t]!, 'fashion-public', t);
        runs.set(`${id}/test`, { correct: test, latencyMs: samplesAround(testMs) });
        runs.set(`${id}/val`, { correct: val, latencyMs: samplesAround(valMs) });
      }
      await completeQueuedJobs(api, (s, split) => runs.get(`${s}/${split}`)!);
    },
    tearDown: async () => api?.close(),
  });

  async function loggedIn(token: string): Promise<TestBrowser> {
    const b = new TestBrowser(api.url);
    const res = await b.post('/login', { _csrf: TestBrowser.formToken(await b.get('/login')), token, next: '/' });
    expect(res.status).toBe(303);
    return b;
  }
  const rankCells = (body: string): string[] =>
    [...body.matchAll(/<tr id="entry-[^"]+"[^>]*>\s*<td class="num">(.*?)<\/td>/g)].map((m) =>
      m[1]!.replace(/<span class="tag"[^>]*>tie<\/span>/, '(tie)').trim(),
    );

  it('shows the public board to everyone before the reveal, and the private board with tie markers to the admin', async () => {
    const page = await new TestBrowser(api.url).get('/leaderboard/fashion-public');
    expect(page.status).toBe(200);
    expect(page.body).toContain('Public leaderboard: scored on the split <code>val</code>');
    expect(rankCells(page.body)).toEqual(['1', '2', '3']);
    expect(page.body).not.toContain('action="/leaderboard/fashion-public/rescore"');

    const admin = await loggedIn(TEST_ADMIN_TOKEN);
    const priv = await admin.get('/leaderboard/fashion-public?board=private');
    expect(rankCells(priv.body)).toEqual(['=1 (tie)', '=1 (tie)', '3']);
    expect(priv.body).toContain('<th scope="col" class="num">Public rank</th>');
    expect((await admin.get('/leaderboard/fashion-public?board=sideways')).status).toBe(400);
  });

  it('lets only the admin re-score from the page, with the form token; a dry run shows the rank changes and stores nothing', async () => {
    const team = await loggedIn(teams.F!.token);
    const teamPage = await team.get('/leaderboard/fashion-public');
    expect(
      (await team.post('/leaderboard/fashion-public/rescore', { _csrf: TestBrowser.formToken(teamPage), formula: 'lpcv2025@1', params: 'cutoffMs=3' })).status,
    ).toBe(403);

    const admin = await loggedIn(TEST_ADMIN_TOKEN);
    const page = await admin.get('/leaderboard/fashion-public');
    expect(page.body).toContain('action="/leaderboard/fashion-public/rescore"');
    expect(
      (await admin.post('/leaderboard/fashion-public/rescore', { _csrf: 'forged', formula: 'lpcv2025@1', params: 'cutoffMs=3', dryRun: '1' })).status,
    ).toBe(403);

    const csrf = TestBrowser.formToken(page);
    const dry = await admin.post('/leaderboard/fashion-public/rescore', { _csrf: csrf, formula: 'lpcv2025@1', params: 'cutoffMs=3', dryRun: '1' });
    expect(dry.status).toBe(200);
    expect(dry.body).toContain('Dry run of a re-score');
    // lpcv2025 with a 3 ms cut-off: H (4 ms) no longer qualifies; it stood third on the public board.
    expect(dry.body).toMatch(/<td>public<\/td><th scope="row">page-H<\/th><td><code>[^<]+<\/code><\/td><td class="num">3<\/td><td class="num">—<\/td>/);
    expect((await admin.get('/leaderboard/fashion-public')).body).not.toContain('re-scored</span>');

    const bad = await admin.post('/leaderboard/fashion-public/rescore', { _csrf: csrf, formula: 'lpcv2025@1' });
    expect(bad.status).toBe(400);
    expect(bad.body).toContain('LPCV_E_RESCORE_FORMULA');

    const real = await admin.post('/leaderboard/fashion-public/rescore', { _csrf: csrf, formula: 'lpcv2025@1', params: 'cutoffMs=3' });
    expect(real.status).toBe(200);
    expect(real.body).toContain('The new scores are stored');
    const after = await new TestBrowser(api.url).get('/leaderboard/fashion-public');
    expect(after.body).toContain('<code>lpcv2025@1</code> <span class="tag"');
    expect(rankCells(after.body)).toEqual(['1', '2', '—']);
    const audit = (await api.db('rescore_audit').orderBy('id').select('actor', 'dry_run')) as Array<{ actor: string; dry_run: unknown }>;
    expect(audit.map((a) => [a.actor, Boolean(a.dry_run)])).toEqual([
      ['admin (web)', true],
      ['admin (web)', false],
    ]);
    expect(api.internalErrors).toEqual([]);
  });
});
