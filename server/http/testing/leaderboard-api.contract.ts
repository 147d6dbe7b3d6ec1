/**
 * The leaderboard API's behaviour, run on SQLite and on PostgreSQL: best entry per team, baselines marked
 * and unranked, the Pareto front, hidden-split results private until an admin reveals them, CSV.
 */
import { describe, expect, it } from 'vitest';
import { fixtureBytes } from '../../../test/testing/onnx-fixtures.js';
import { resolveTrack } from '../../../harness/tracks/load-track.js';
import { createTeam, type CreatedOwner } from '../../auth/index.js';
import { seedBaselines } from '../../baselines/seed-baselines.js';
import type { TestDatabase } from '../../db/testing/databases.js';
import { useTestDatabase } from '../../db/testing/suite-hooks.js';
import { LEADERBOARD_CSV_COLUMNS, type Leaderboard } from '../../leaderboard/index.js';
import { finishQueuedJobs, resultRecord, type ChosenResult } from '../../leaderboard/testing/results.js';
import type { ResultRecord } from '../../../harness/result-record.js';
import { postSubmission, startTestApi, type TestApi } from './api-server.js';
import { T0, TEST_ADMIN_TOKEN } from './test-server.js';

export function leaderboardApiContract(label: string, database: TestDatabase): void {
  describe(`the leaderboard API on ${label}`, () => {
    let api: TestApi;
    let evil: CreatedOwner;
    const ids: Record<string, string> = {};
    useTestDatabase(database, {
      setUp: async () => {
        api = await startTestApi(database, `lb-${label}`);
        evil = await createTeam(api.db, `-evil-${label}`, T0);
        const fashion = resolveTrack('fashion-mnist');
        const seeded = await seedBaselines(api.db, api.store, [fashion], () => T0);
        for (const b of seeded) ids[`baseline:${b.name}`] = b.submissionId;
        const upload = async (key: string, token: string): Promise<void> => {
          const res = await postSubmission(
            api,
            [
              { name: 'track', value: 'fashion-mnist' },
              { name: 'file', value: fixtureBytes('tiny-conv.onnx'), filename: `${key}.onnx` },
            ],
            token,
          );
          expect(res.status).toBe(201);
          ids[key] = ((await res.json()) as { id: string }).id;
        };
        await upload('A1', api.teamA.token);
        await upload('A2', api.teamA.token);
        await upload('B1', api.teamB.token);
        await upload('D1', evil.token);
        const rec = (c: ChosenResult): ResultRecord => resultRecord('fashion-mnist', 'test', c);
        const chosen = new Map<string, ResultRecord | 'fail'>([
          [ids['baseline:linear']!, rec({ top1: 0.82, p50: 0.04, score: 20_000 })],
          [ids['baseline:hardnet_s']!, rec({ top1: 0.905, p50: 0.19, score: 4_800 })],
          [ids.A1!, rec({ top1: 0.9, p50: 0.1, score: 9_000 })],
          [ids.A2!, rec({ top1: 0.91, p50: 0.05, score: 18_200, joules: 3.5 })],
          [ids.B1!, rec({ top1: 0.95, p50: 1.0, score: 950 })],
          [ids.D1!, rec({ top1: 0.5, p50: 0.01, score: 50_000 })],
        ]);
        await finishQueuedJobs(api.db, chosen, T0 + 1000);
      },
      tearDown: async () => api?.close(),
    });

    const get = (path: string, token?: string): Promise<Response> =>
      fetch(`${api.url}${path}`, { headers: token === undefined ? {} : { authorization: `Bearer ${token}` } });
    const board = async (token?: string): Promise<Leaderboard> => {
      const res = await get('/api/leaderboard/fashion-mnist', token);
      expect(res.status).toBe(200);
      return (await res.json()) as Leaderboard;
    };
    const summary = (b: Leaderboard): Array<[number | null, string, string | null, boolean]> =>
      b.entries.map((e) => [e.rank, e.submission, e.baseline, e.pareto]);
    const reveal = (method: 'POST' | 'DELETE', token?: string): Promise<Response> =>
      fetch(`${api.url}/api/admin/tracks/fashion-mnist/reveal`, { method, headers: token === undefined ? {} : { authorization: `Bearer ${token}` } });

    it("shows an admin every team's best entry ranked by score, baselines unranked, and the Pareto front", async () => {
      const b = await board(TEST_ADMIN_TOKEN);
      expect({ split: b.split, hiddenSplit: b.hiddenSplit, revealedAt: b.revealedAt, complete: b.complete, withheld: b.withheld, metric: b.metric }).toEqual({
        split: 'test',
        hiddenSplit: true,
        revealedAt: null,
        complete: true,
        withheld: 0,
        metric: 'top1',
      });
      // A1 is not A's best; C's failed and the baselines still running are not entries.
      expect(summary(b)).toEqual([
        [1, ids.D1, null, true],
        [null, ids['baseline:linear'], 'linear', true],
        [2, ids.A2, null, true],
        [null, ids['baseline:hardnet_s'], 'hardnet_s', false],
        [3, ids.B1, null, true],
      ]);
      const a2 = b.entries[2]!;
      expect(a2).toMatchObject({
        team: api.teamA.name,
        accuracy: 0.91,
        score: 18_200,
        qualified: true,
        energy: { joules: 3.5 },
        formula: 'accuracy-per-time@1',
      });
      expect(a2.latency).toEqual({ unit: 'ms', p50: 0.05, ci95: [0.05 * 0.98, 0.05 * 1.02], count: 1000 });
      expect(b.entries[0]).toMatchObject({ energy: null, energyNote: 'no power sensor on this target' });
      expect(b.entries[1]).toMatchObject({ team: 'baseline', baseline: 'linear' });
    });

    it('keeps hidden-split results to their team before the reveal: others see the baselines only, without ranks', async () => {
      const anonymous = await board();
      expect(summary(anonymous)).toEqual([
        [null, ids['baseline:linear'], 'linear', true],
        [null, ids['baseline:hardnet_s'], 'hardnet_s', true],
      ]);
      expect({ complete: anonymous.complete, withheld: anonymous.withheld }).toEqual({ complete: false, withheld: 3 });
      const teamA = await board(api.teamA.token);
      expect(summary(teamA)).toEqual([
        [null, ids['baseline:linear'], 'linear', true],
        [null, ids.A2, null, true],
        [null, ids['baseline:hardnet_s'], 'hardnet_s', false],
      ]);
      expect(teamA.withheld).toBe(2);
    });

    it('lets only the admin token reveal and hide, and then shows everyone everything, ranked', async () => {
      expect((await reveal('POST')).status).toBe(401);
      const forbidden = await reveal('POST', api.teamA.token);
      expect(forbidden.status).toBe(403);
      expect(((await forbidden.json()) as { error: { code: string } }).error.code).toBe('LPCV_E_FORBIDDEN');
      expect((await board()).withheld).toBe(3);

      const done = await reveal('POST', TEST_ADMIN_TOKEN);
      expect(done.status).toBe(200);
      const { revealedAt } = (await done.json()) as { revealedAt: string };
      const again = (await (await reveal('POST', TEST_ADMIN_TOKEN)).json()) as { revealedAt: string };
      expect(again.revealedAt).toBe(revealedAt);

      const anonymous = await board();
      expect({ complete: anonymous.complete, withheld: anonymous.withheld, revealedAt: anonymous.revealedAt }).toEqual({
        complete: true,
        withheld: 0,
        revealedAt,
      });
      expect(summary(anonymous)).toEqual(summary(await board(TEST_ADMIN_TOKEN)));

      const hidden = await reveal('DELETE', TEST_ADMIN_TOKEN);
      expect(await hidden.json()).toEqual({ track: 'fashion-mnist', revealedAt: null, wasRevealed: true });
      expect((await board()).withheld).toBe(3);
    });

    it('answers CSV with one row per entry, and keeps a team name from running as a spreadsheet formula', async () => {
      const res = await get('/api/leaderboard/fashion-mnist?format=csv', TEST_ADMIN_TOKEN);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
      const lines = (await res.text()).trimEnd().split('\r\n');
      expect(lines[0]).toBe(LEADERBOARD_CSV_COLUMNS.join(','));
      expect(lines).toHaveLength(6);
      const first = lines[1]!.split(',');
      expect(first.slice(0, 6)).toEqual(['1', `'-evil-${label}`, '', ids.D1, 'top1', '0.5']);
      expect(lines[2]!.split(',').slice(0, 3)).toEqual(['', 'baseline', 'linear']);
    });

    it('refuses an unknown track, an unknown format and an invalid bearer token with coded JSON errors', async () => {
      const codeOf = async (res: Response): Promise<[number, string]> => [res.status, ((await res.json()) as { error: { code: string } }).error.code];
      expect(await codeOf(await get('/api/leaderboard/no-such-track'))).toEqual([404, 'LPCV_E_TRACK_UNKNOWN']);
      expect(await codeOf(await get('/api/leaderboard/fashion-mnist?format=xml'))).toEqual([400, 'LPCV_E_BAD_REQUEST']);
      expect(await codeOf(await get('/api/leaderboard/fashion-mnist', 'lpcv_team_not-a-real-token'))).toEqual([401, 'LPCV_E_UNAUTHORIZED']);
      expect(await codeOf(await get('/api/leaderboard/fashion-mnist', api.agent.token))).toEqual([401, 'LPCV_E_UNAUTHORIZED']);
      const list = (await (await get('/api/leaderboard')).json()) as { tracks: Array<{ name: string }> };
      expect(list.tracks.map((t) => t.name)).toEqual(['fashion-mnist', 'tiny-limit']);
      expect(api.internalErrors).toEqual([]);
    });
  });
}
