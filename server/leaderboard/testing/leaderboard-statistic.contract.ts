/**
 * The latency statistic a score used, on the leaderboard (JSON, CSV, the builder), run on SQLite and on PostgreSQL:
 * each entry carries it with its interval, and results measured in trials are tied by that interval
 * (docs/leaderboard.md, "Statistical ties"), while a result stored before trials keeps the median's.
 *
 * The runs (fashion-mnist, accuracy-per-time by the mean; 5 trials cover 1 - 2^-4 = 93.75%):
 *
 *   team    top1   median [between trials]   mean [between trials]   score = top1 / mean s
 *   old     0.82   0.10 (no trials)          -                       8200
 *   steady  0.905  0.27 [0.24, 0.30]         0.35 [0.33, 0.37]       2585.7
 *   close   0.905  0.25 [0.22, 0.28]         0.36 [0.34, 0.40]       2513.9
 *   spiky   0.905  0.21 [0.20, 0.26]         0.70 [0.60, 0.80]       1292.9
 *
 * spiky has the lowest median and the same accuracy, and stands last: its mean (a few very slow runs) is twice the
 * others', the case. By the means, steady and close are tied (their intervals overlap) and spiky is not; by
 * the medians' intervals, the rule before trials, spiky would have been tied with close as well.
 */
import { describe, expect, it } from 'vitest';
import type { ResultRecord } from '../../../harness/result-record.js';
import { resolveTrack } from '../../../harness/tracks/load-track.js';
import { statisticallyTied } from '../../../scoring/ranking.js';
import { fixtureBytes } from '../../../test/testing/onnx-fixtures.js';
import { createTeam } from '../../auth/index.js';
import type { TestDatabase } from '../../db/testing/databases.js';
import { useTestDatabase } from '../../db/testing/suite-hooks.js';
import { postSubmission, startTestApi, type TestApi } from '../../http/testing/api-server.js';
import { T0, TEST_ADMIN_TOKEN } from '../../http/testing/test-server.js';
import { buildLeaderboard, LEADERBOARD_CSV_COLUMNS, tieEvidence, type Leaderboard } from '../index.js';
import { finishQueuedJobs, resultRecord, type ChosenResult } from './results.js';

const TEAMS = ['old', 'steady', 'close', 'spiky'] as const;
type Team = (typeof TEAMS)[number];

const score = (top1: number, meanMs: number): number => top1 / (meanMs / 1000);

const CHOSEN: Record<Team, ChosenResult> = {
  old: { top1: 0.82, p50: 0.1, score: score(0.82, 0.1) },
  steady: { top1: 0.905, p50: 0.27, score: score(0.905, 0.35), trials: { count: 5, p50Ci95: [0.24, 0.3], mean: 0.35, meanCi95: [0.33, 0.37] } },
  close: { top1: 0.905, p50: 0.25, score: score(0.905, 0.36), trials: { count: 5, p50Ci95: [0.22, 0.28], mean: 0.36, meanCi95: [0.34, 0.4] } },
  spiky: { top1: 0.905, p50: 0.21, score: score(0.905, 0.7), trials: { count: 5, p50Ci95: [0.2, 0.26], mean: 0.7, meanCi95: [0.6, 0.8] } },
};

export function leaderboardStatisticContract(label: string, database: TestDatabase): void {
  describe(`the latency statistic of the scores on the leaderboard, on ${label}`, () => {
    let api: TestApi;
    const ids = {} as Record<Team, string>;
    const records = {} as Record<Team, ResultRecord>;
    useTestDatabase(database, {
      setUp: async () => {
        api = await startTestApi(database, `stat-${label}`);
        const chosen = new Map<string, ResultRecord>();
        for (const team of TEAMS) {
          const owner = await createTeam(api.db, `${team}-${label}`, T0);
          const res = await postSubmission(
            api,
            [
              { name: 'track', value: 'fashion-mnist' },
              { name: 'file', value: fixtureBytes('tiny-conv.onnx'), filename: `${team}.onnx` },
            ],
            owner.token,
          );
          expect(res.status).toBe(201);
          ids[team] = ((await res.json()) as { id: string }).id;
          records[team] = resultRecord('fashion-mnist', 'test', CHOSEN[team]);
          chosen.set(ids[team], records[team]);
        }
        expect(await finishQueuedJobs(api.db, chosen, T0 + 1000)).toBe(TEAMS.length);
      },
      tearDown: async () => api?.close(),
    });

    const get = (path: string): Promise<Response> => fetch(`${api.url}${path}`, { headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` } });
    const board = async (): Promise<Leaderboard> => {
      const res = await get('/api/leaderboard/fashion-mnist');
      expect(res.status).toBe(200);
      return (await res.json()) as Leaderboard;
    };
    const teamOf = (submission: string): Team => TEAMS.find((t) => ids[t] === submission)!;

    it('carries the statistic each score used, named, with its between-trial interval, beside the median', async () => {
      const b = await board();
      expect(b.statistic).toBe('mean');
      const byTeam = Object.fromEntries(b.entries.map((e) => [teamOf(e.submission), e]));
      expect(byTeam.steady!.statistic).toEqual({ name: 'mean', unit: 'ms', value: 0.35, ci95: [0.33, 0.37], coverage: 0.9375, trials: 5 });
      expect(byTeam.spiky!.statistic).toEqual({ name: 'mean', unit: 'ms', value: 0.7, ci95: [0.6, 0.8], coverage: 0.9375, trials: 5 });
      // What the entries showed before stays: the median with its interval (between the trials here).
      expect(byTeam.spiky!.latency).toEqual({ unit: 'ms', p50: 0.21, ci95: [0.2, 0.26], count: 1000 });
      // A result stored before scores named their statistic keeps loading: no statistic, its median as before.
      expect(byTeam.old!.statistic).toBeNull();
      expect(byTeam.old!.latency).toEqual({ unit: 'ms', p50: 0.1, ci95: [0.1 * 0.98, 0.1 * 1.02], count: 1000 });
      // The builder gives the API's answer.
      expect(JSON.parse(JSON.stringify(await buildLeaderboard(api.db, resolveTrack('fashion-mnist'), { kind: 'admin' })))).toEqual(b);
    });

    it("ties results measured in trials by their score statistic's interval, and a result without trials by its median's", async () => {
      const b = await board();
      expect(b.entries.map((e) => [teamOf(e.submission), e.rank, e.shownRank, e.tied])).toEqual([
        ['old', 1, 1, false],
        ['steady', 2, 2, true],
        ['close', 3, 2, true],
        ['spiky', 4, 4, false],
      ]);
      // The evidence: the means' intervals for the results with trials, the median's for the one without.
      expect(tieEvidence(records.spiky, 'top1')).toEqual({ accuracy: 0.905, countBase: 8000, latencyCi95: [0.6, 0.8] });
      expect(tieEvidence(records.old, 'top1')!.latencyCi95).toEqual([0.1 * 0.98, 0.1 * 1.02]);
      // By the medians' intervals (the rule before trials), spiky would have been tied with close.
      const byMedian = (t: Team) => ({ accuracy: 0.905, countBase: 8000, latencyCi95: records[t].latency.ci95 });
      expect(statisticallyTied(byMedian('close'), byMedian('spiky'))).toBe(true);
    });

    it("writes the statistic's columns at the end of the CSV", async () => {
      const res = await get('/api/leaderboard/fashion-mnist?format=csv');
      expect(res.status).toBe(200);
      const [header, ...rows] = (await res.text()).trimEnd().split('\r\n');
      expect(header).toBe(LEADERBOARD_CSV_COLUMNS.join(','));
      // The statistic's columns, then the robustness column (empty: the sample track declares no robustness splits).
      expect(LEADERBOARD_CSV_COLUMNS.slice(-7, -1)).toEqual([
        'statistic',
        'statistic_ms',
        'statistic_ci95_low_ms',
        'statistic_ci95_high_ms',
        'statistic_coverage',
        'robustness',
      ]);
      const tail = (row: string): string[] => row.split(',').slice(-7, -2);
      for (const row of rows) expect(row.endsWith(',,false')).toBe(true);
      expect(rows.map((r) => [r.split(',')[3], tail(r)])).toEqual([
        [ids.old, ['', '', '', '', '']],
        [ids.steady, ['mean', '0.35', '0.33', '0.37', '0.9375']],
        [ids.close, ['mean', '0.36', '0.34', '0.4', '0.9375']],
        [ids.spiky, ['mean', '0.7', '0.6', '0.8', '0.9375']],
      ]);
    });
  });
}
