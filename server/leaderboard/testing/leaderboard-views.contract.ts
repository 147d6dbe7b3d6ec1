/**
 * A board's views and the teams' selected entries (docs/leaderboard.md), over real HTTP, run on SQLite and on
 * PostgreSQL: `?sort=&order=` moves rows and never ranks; entries that do not qualify stand apart; `?phase=&round=`
 * keeps the submissions made in it; on a track with `leaderboard.entry: "selected"` a team's selected submission
 * stands (its best until it selects one), selected over the API or the page form.
 *
 * The runs, on `chosen` (fashion-mnist with `entry: "selected"`), and where the competition placed them:
 *
 *   who      top1   median ms   score    qualified   phase / round
 *   linear   0.82   0.04        20,000   yes         (a baseline: every phase's board)
 *   A1       0.90   0.10         9,000   yes         dev / r1
 *   A2       0.91   0.05        18,200   yes         dev / r2
 *   B1       0.95   1.00           950   yes         final
 *   C1       0.99   0.02        49,500   no          dev / r1
 *   A3       failed                                  dev / r2
 */
import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { describe, expect, it } from 'vitest';
import type { Competition, Phase } from '../../../harness/competitions/competition.js';
import type { ResultRecord } from '../../../harness/result-record.js';
import { resolveTrack } from '../../../harness/tracks/load-track.js';
import type { Track } from '../../../harness/tracks/track.js';
import { fixtureBytes } from '../../../test/testing/onnx-fixtures.js';
import { ADMIN_TOKEN_ENV, adminTokenFromEnv, createTeam, type CreatedOwner } from '../../auth/index.js';
import { seedBaselines } from '../../baselines/seed-baselines.js';
import { applyCompetition } from '../../competitions/apply-competition.js';
import type { TestDatabase } from '../../db/testing/databases.js';
import { useTestDatabase } from '../../db/testing/suite-hooks.js';
import { entrySelectionRoutes } from '../../http/entry-selection-routes.js';
import { jsonErrorHandler } from '../../http/error-handler.js';
import { postSubmission } from '../../http/testing/api-server.js';
import { startTestServer, T0, TEST_ADMIN_TOKEN, type TestServer } from '../../http/testing/test-server.js';
import { entrySelectionForm } from '../../pages/entry-selection-form.js';
import { entrySelectionPageRoute } from '../../pages/entry-selection-page-route.js';
import { leaderboardPage } from '../../pages/leaderboard-page.js';
import { pageContext } from '../../pages/page-kit.js';
import { TestBrowser } from '../../pages/testing/browser.js';
import type { WebAuth } from '../../web/web-auth.js';
import { buildLeaderboard, LEADERBOARD_CSV_COLUMNS, selectEntry, type Leaderboard } from '../index.js';
import { finishQueuedJobs, resultRecord } from './results.js';

const DAY = 86_400_000;
const phase = (p: Pick<Phase, 'name' | 'title' | 'startAt' | 'endAt' | 'rounds'>): Phase => ({
  tracks: ['chosen'],
  board: 'private',
  boardVisible: true,
  reveal: 'manual',
  quota: { perDay: null, total: null, failed: null },
  ...p,
});
/** Both phases are over by T0: a closed phase changes no board, and the runs' placement is written as intake records it. */
const COMPETITION: Competition = {
  name: 'views',
  title: 'Views',
  tracks: ['chosen'],
  phases: [
    phase({
      name: 'dev',
      title: 'Development',
      startAt: T0 - 20 * DAY,
      endAt: T0 - 10 * DAY,
      rounds: [
        { name: 'r1', startAt: T0 - 20 * DAY, endAt: T0 - 15 * DAY },
        { name: 'r2', startAt: T0 - 15 * DAY, endAt: T0 - 10 * DAY },
      ],
    }),
    phase({ name: 'final', title: 'Final', startAt: T0 - 10 * DAY, endAt: T0 - 5 * DAY, rounds: [] }),
  ],
  webhooks: [],
};

interface ErrorBody {
  error: { code: string; message: string };
}

export function leaderboardViewsContract(label: string, database: TestDatabase): void {
  describe(`the leaderboard's views and selected entries on ${label}`, () => {
    let server: TestServer;
    /** The selection routes (not in createApp yet), on the same database: the API router, the page route, the form. */
    let selections: { url: string; close: () => Promise<void> };
    const teams = {} as Record<'A' | 'B' | 'C', CreatedOwner>;
    const ids: Record<string, string> = {};
    let clock = T0;
    const chosen: Track = { ...resolveTrack('fashion-mnist'), name: 'chosen', leaderboard: { entry: 'selected' } };

    useTestDatabase(database, {
      setUp: async () => {
        server = await startTestServer({ database, tracks: [chosen, resolveTrack('fashion-mnist')], admin: true, now: () => clock });
        const [linear] = (await seedBaselines(server.db, server.store, [chosen], () => T0)).filter((b) => b.name === 'linear');
        ids.linear = linear!.submissionId;
        for (const t of ['A', 'B', 'C'] as const) teams[t] = await createTeam(server.db, `views-${label}-${t}`, T0);
        const upload = async (key: string, team: CreatedOwner, track = 'chosen'): Promise<void> => {
          clock += 1000;
          const res = await postSubmission(
            server,
            [
              { name: 'track', value: track },
              { name: 'file', value: fixtureBytes('tiny-conv.onnx'), filename: `${key}.onnx` },
            ],
            team.token,
          );
          expect(res.status).toBe(201);
          ids[key] = ((await res.json()) as { id: string }).id;
        };
        for (const [key, team] of [
          ['A1', teams.A],
          ['A2', teams.A],
          ['B1', teams.B],
          ['C1', teams.C],
          ['A3', teams.A],
        ] as const)
          await upload(key, team);
        await upload('F1', teams.A, 'fashion-mnist');
        const rec = (c: Parameters<typeof resultRecord>[2]): ResultRecord => resultRecord('chosen', 'test', c);
        const over = rec({ top1: 0.99, p50: 0.02, score: 49_500, qualified: false });
        const results = new Map<string, ResultRecord | 'fail'>([
          [ids.linear!, rec({ top1: 0.82, p50: 0.04, score: 20_000 })],
          [ids.A1!, rec({ top1: 0.9, p50: 0.1, score: 9000 })],
          [ids.A2!, rec({ top1: 0.91, p50: 0.05, score: 18_200, joules: 3.5 })],
          [ids.B1!, rec({ top1: 0.95, p50: 1.0, score: 950 })],
          [ids.C1!, { ...over, score: { ...over.score, reason: 'the model is over the 5 MB size limit' } }],
          [ids.A3!, 'fail'],
          [ids.F1!, resultRecord('fashion-mnist', 'test', { top1: 0.9, p50: 0.1, score: 9000 })],
        ]);
        await finishQueuedJobs(server.db, results, T0 + 10_000);
        // Where the intake would have placed them, had they been made while the phases were open.
        const place = (key: string, p: string, round: string | null) => server.db('submissions').where('id', ids[key]!).update({ phase: p, round });
        await Promise.all([place('A1', 'dev', 'r1'), place('A2', 'dev', 'r2'), place('C1', 'dev', 'r1'), place('A3', 'dev', 'r2'), place('B1', 'final', null)]);
        await applyCompetition(server.db, COMPETITION, { now: T0, actor: 'test' });
        selections = await startSelectionApp(server, () => clock);
      },
      tearDown: async () => {
        await selections?.close();
        await server?.close();
      },
    });

    const get = (path: string, token = TEST_ADMIN_TOKEN): Promise<Response> => fetch(`${server.url}${path}`, { headers: { authorization: `Bearer ${token}` } });
    const board = async (query = ''): Promise<Leaderboard> => {
      const res = await get(`/api/leaderboard/chosen${query}`);
      expect(res.status).toBe(200);
      return (await res.json()) as Leaderboard;
    };
    const keyOf = (submission: string): string => Object.keys(ids).find((k) => ids[k] === submission)!;
    const rows = (b: Leaderboard): Array<[string, number | null]> => b.entries.map((e) => [keyOf(e.submission), e.rank]);
    const refused = async (res: Response, status: number, code: string): Promise<string> => {
      const body = (await res.json()) as ErrorBody;
      expect({ status: res.status, code: body.error?.code }).toEqual({ status, code });
      return body.error.message;
    };
    const select = (id: string, token?: string): Promise<Response> =>
      fetch(`${selections.url}/api/submissions/${id}/select`, { method: 'POST', headers: token === undefined ? {} : { authorization: `Bearer ${token}` } });

    it("ranks each team's best until it selects, and lists the entries that do not qualify after the others, with the counts", async () => {
      const b = await board();
      expect(b.entryRule).toBe('selected');
      expect(rows(b)).toEqual([
        ['linear', null],
        ['A2', 1],
        ['B1', 2],
        ['C1', null],
      ]);
      expect({ qualified: b.qualifiedEntries, disqualified: b.disqualifiedEntries, sort: b.sort }).toEqual({
        qualified: 3,
        disqualified: 1,
        sort: { column: 'rank', order: 'asc' },
      });
      expect(b.entries.map((e) => [e.qualified, e.selected])).toEqual([
        [true, false],
        [true, false],
        [true, false],
        [false, false],
      ]);
      const page = await new TestBrowser(server.url).get('/leaderboard/chosen', { authorization: `Bearer ${TEST_ADMIN_TOKEN}` });
      expect(page.body).toMatch(
        /<table id="disqualified">\s*<caption>Disqualified \(not ranked\): 1 entry outside the track's limits or without a score<\/caption>/,
      );
      expect(page.body).toContain('<td>the model is over the 5 MB size limit</td>');
      expect(page.body).toContain('Each team&#39;s selected submission counts (its best until it selects one)');
    });

    it('sorts by any column without changing a rank, keeps the disqualified apart, and refuses an unknown column naming the allowed ones', async () => {
      expect(rows(await board('?sort=latency'))).toEqual([
        ['linear', null],
        ['A2', 1],
        ['B1', 2],
        ['C1', null],
      ]);
      expect(rows(await board('?sort=latency&order=desc'))).toEqual([
        ['B1', 2],
        ['A2', 1],
        ['linear', null],
        ['C1', null],
      ]);
      expect(rows(await board('?sort=top5'))).toEqual([
        ['B1', 2],
        ['A2', 1],
        ['linear', null],
        ['C1', null],
      ]);
      expect(rows(await board('?sort=score&order=asc')).map(([k]) => k)).toEqual(['B1', 'A2', 'linear', 'C1']);
      // No energy: the entry that has it first, nulls last in either order.
      expect(rows(await board('?sort=energy&order=desc')).map(([k]) => k)).toEqual(['A2', 'linear', 'B1', 'C1']);
      expect(await refused(await get('/api/leaderboard/chosen?sort=colour'), 400, 'LPCV_E_BAD_REQUEST')).toBe(
        'sort must be one of rank, top1, top5, latency, energy, score, date on track chosen, not "colour"',
      );
      await refused(await get('/api/leaderboard/chosen?sort=score&order=up'), 400, 'LPCV_E_BAD_REQUEST');
      await refused(await get('/api/leaderboard/chosen?sort=score&sort=rank'), 400, 'LPCV_E_BAD_REQUEST');
      const csv = (await (await get('/api/leaderboard/chosen?format=csv&sort=latency&order=desc')).text()).trimEnd().split('\r\n');
      expect(csv[0]).toBe(LEADERBOARD_CSV_COLUMNS.join(','));
      expect(csv.slice(1).map((line) => keyOf(line.split(',')[3]!))).toEqual(['B1', 'A2', 'linear', 'C1']);
    });

    it("draws sortable headers as links that keep the view, with aria-sort on the sorted one, and links each phase's board", async () => {
      const b = await buildLeaderboard(server.db, chosen, { kind: 'admin' }, { sort: 'latency', phase: 'dev', now: clock });
      const page = leaderboardPage({ viewer: { kind: 'admin' }, csrf: 'token', path: '/leaderboard/chosen' }, b);
      expect(page).toMatch(
        /<th scope="col" class="num" id="latency-column" aria-sort="ascending"><a href="\/leaderboard\/chosen\?phase=dev&amp;sort=latency&amp;order=desc">/,
      );
      expect(page).toContain(
        '<th scope="col" class="num"><a href="/leaderboard/chosen?phase=dev&amp;sort=score&amp;order=desc">Score (accuracy-per-time@1, higher is better)</a></th>',
      );
      expect(page).toContain('<th scope="col" class="num"><a href="/leaderboard/chosen?phase=dev">Rank</a></th>');
      expect(page.match(/aria-sort=/g)).toHaveLength(2); // the latency header of both tables
      expect(page).toContain('<a href="/leaderboard/chosen?phase=dev&amp;round=r1&amp;sort=latency&amp;order=asc">r1</a>');
      expect(page).toContain('<a href="/leaderboard/chosen?phase=dev&amp;sort=latency&amp;order=asc" aria-current="page">Development</a>');
      expect(page).toContain('<a href="/leaderboard/chosen?sort=latency&amp;order=asc">All phases</a>');
      expect(page).toContain('href="/api/leaderboard/chosen?format=csv&amp;phase=dev&amp;sort=latency&amp;order=asc"');
      expect(page).toContain('caption>2 entries, sorted by latency (ascending');
    });

    it('restricts the board to a phase or a round (baselines on every one) and refuses names it does not know', async () => {
      const dev = await board('?phase=dev');
      expect(rows(dev)).toEqual([
        ['linear', null],
        ['A2', 1],
        ['C1', null],
      ]);
      expect({ filter: dev.phaseFilter, phases: dev.phases }).toEqual({
        filter: { phase: 'dev', round: null },
        phases: [
          { name: 'dev', title: 'Development', rounds: ['r1', 'r2'] },
          { name: 'final', title: 'Final', rounds: [] },
        ],
      });
      expect(rows(await board('?phase=dev&round=r1')).map(([k]) => k)).toEqual(['linear', 'A1', 'C1']);
      expect(rows(await board('?phase=final'))).toEqual([
        ['linear', null],
        ['B1', 1],
      ]);
      expect(await refused(await get('/api/leaderboard/chosen?phase=qualifier'), 400, 'LPCV_E_BAD_REQUEST')).toBe(
        'track chosen has no phase "qualifier" (its phases: dev, final)',
      );
      expect(await refused(await get('/api/leaderboard/chosen?phase=dev&round=r9'), 400, 'LPCV_E_BAD_REQUEST')).toBe(
        'phase dev has no round "r9" (its rounds: r1, r2)',
      );
      await refused(await get('/api/leaderboard/chosen?round=r1'), 400, 'LPCV_E_BAD_REQUEST');
      await refused(await get('/api/leaderboard/fashion-mnist?phase=dev'), 400, 'LPCV_E_BAD_REQUEST');
      const csv = (await (await get('/api/leaderboard/chosen?format=csv&phase=dev&round=r1')).text()).trimEnd().split('\r\n');
      expect(csv.slice(1).map((line) => keyOf(line.split(',')[3]!))).toEqual(['linear', 'A1', 'C1']);
    });

    it('lets a team select its entry over the API, which then stands on every view of the board, marked', async () => {
      clock = T0 + DAY;
      const res = await select(ids.A1!, teams.A.token);
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ track: 'chosen', submission: ids.A1, selectedAt: new Date(T0 + DAY).toISOString() });
      const b = await board();
      expect(rows(b)).toEqual([
        ['linear', null],
        ['A1', 1],
        ['B1', 2],
        ['C1', null],
      ]);
      expect(b.entries.filter((e) => e.selected).map((e) => keyOf(e.submission))).toEqual(['A1']);
      // A selection outside the phase viewed leaves the team its best there.
      expect(rows(await board('?phase=dev&round=r2')).map(([k]) => k)).toEqual(['linear', 'A2']);
      const csv = (await (await get('/api/leaderboard/chosen?format=csv')).text()).trimEnd().split('\r\n');
      expect(csv.slice(1).map((line) => [keyOf(line.split(',')[3]!), line.split(',').at(-1)])).toEqual([
        ['linear', 'false'],
        ['A1', 'true'],
        ['B1', 'false'],
        ['C1', 'false'],
      ]);
    });

    it("refuses another team's submission, no token, a track that ranks no selection, a failed run and a baseline", async () => {
      await refused(await select(ids.A2!), 401, 'LPCV_E_UNAUTHORIZED');
      await refused(await select(ids.A2!, teams.B.token), 404, 'LPCV_E_SUBMISSION_UNKNOWN');
      await refused(await select('not-an-id', teams.A.token), 404, 'LPCV_E_SUBMISSION_UNKNOWN');
      expect(await refused(await select(ids.F1!, teams.A.token), 409, 'LPCV_E_ENTRY_SELECTION')).toMatch(/^track fashion-mnist ranks each team's best entry/);
      expect(await refused(await select(ids.A3!, teams.A.token), 400, 'LPCV_E_BAD_REQUEST')).toMatch(/failed/);
      const baseline = (await server.db('submissions').where('id', ids.linear!).first('team_id')) as { team_id: number };
      await expect(
        selectEntry(server.db, { teamId: Number(baseline.team_id), track: chosen, submissionId: ids.linear!, by: 'test' }, clock),
      ).rejects.toMatchObject({
        code: 'LPCV_E_FORBIDDEN',
      });
      expect((await board()).entries.find((e) => e.selected)?.submission).toBe(ids.A1);
    });

    it('selects from the page form with its form token, for the team only, and redirects to the submission', async () => {
      const browser = new TestBrowser(selections.url);
      const asA = { authorization: `Bearer ${teams.A.token}` };
      const form = await browser.get(`/form/${ids.A2}`);
      expect(form.body).toContain(`<form method="post" action="/submissions/${ids.A2}/select" id="entry-selection">`);
      expect(await browser.post(`/submissions/${ids.A2}/select`, {}, asA)).toMatchObject({ status: 403 });
      const admin = await browser.post(
        `/submissions/${ids.A2}/select`,
        { _csrf: TestBrowser.formToken(form) },
        { authorization: `Bearer ${TEST_ADMIN_TOKEN}` },
      );
      expect(admin.status).toBe(403);
      expect(await browser.post(`/submissions/${ids.A2}/select`, { _csrf: TestBrowser.formToken(form) }, asA)).toMatchObject({
        status: 303,
        location: `/submissions/${ids.A2}`,
      });
      expect((await board()).entries.find((e) => e.selected)?.submission).toBe(ids.A2);
    });

    it("closes selections once the track's hidden results are revealed", async () => {
      expect(
        (await fetch(`${server.url}/api/admin/tracks/chosen/reveal`, { method: 'POST', headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` } })).status,
      ).toBe(200);
      expect(await refused(await select(ids.A1!, teams.A.token), 409, 'LPCV_E_ENTRY_SELECTION')).toBe(
        "track chosen's results are revealed: selections closed with the reveal",
      );
      expect(server.internalErrors).toEqual([]);
    });
  });
}

/** The selection API router, the page route and a page with the form, on the test server's database, with the JSON error handler. */
async function startSelectionApp(server: TestServer, now: () => number): Promise<{ url: string; close: () => Promise<void> }> {
  const auth: WebAuth = { db: server.db, key: randomBytes(32), admin: adminTokenFromEnv({ [ADMIN_TOKEN_ENV]: TEST_ADMIN_TOKEN }), now, secureCookies: false };
  const app = express();
  app.use(entrySelectionRoutes({ db: server.db, tracks: server.tracks, now }));
  app.get('/form/:id', async (req, res) => {
    const ctx = await pageContext(auth, req, res);
    res.type('html').send(entrySelectionForm(ctx, { track: 'chosen', submissionId: req.params.id, selected: false }).text);
  });
  app.use(entrySelectionPageRoute({ db: server.db, auth, tracks: server.tracks, now }));
  app.use(jsonErrorHandler((e) => server.internalErrors.push(e)));
  const listening: Server = await new Promise((resolve, reject) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
    s.once('error', reject);
  });
  return {
    url: `http://127.0.0.1:${(listening.address() as AddressInfo).port}`,
    close: async () => {
      listening.closeAllConnections();
      await new Promise<void>((resolve, reject) => listening.close((e) => (e ? reject(e) : resolve())));
    },
  };
}
