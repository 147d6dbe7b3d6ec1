/**
 * The pages show the latency statistic each score used (docs/pages.md): the leaderboard's latency column names it
 * and shows its interval, the status page shows it with the relative latency and the validity flags. Records stored
 * before scores named their statistic keep showing their median, named as such.
 */
import { describe, expect, it } from 'vitest';
import { fixtureBytes } from '../../test/testing/onnx-fixtures.js';
import { createTeam } from '../auth/index.js';
import { sqliteTestDatabase } from '../db/testing/databases.js';
import { useTestDatabase } from '../db/testing/suite-hooks.js';
import { postSubmission, startTestApi, type TestApi } from '../http/testing/api-server.js';
import { T0, TEST_ADMIN_TOKEN } from '../http/testing/test-server.js';
import type { Leaderboard, LeaderboardEntry } from '../leaderboard/index.js';
import { finishQueuedJobs, resultRecord, type ChosenResult } from '../leaderboard/testing/results.js';
import { latencyCell, latencyHeader } from './latency-statistic.js';
import { TestBrowser } from './testing/browser.js';

const five = (p50Ci95: [number, number], mean: number, meanCi95: [number, number]) => ({ count: 5, p50Ci95, mean, meanCi95 });

const CHOSEN: Record<'steady' | 'spiky' | 'old', ChosenResult> = {
  steady: {
    top1: 0.905,
    p50: 0.27,
    score: 0.905 / 0.00035,
    trials: { ...five([0.24, 0.3], 0.35, [0.33, 0.37]), relative: { value: 0.812, ci95: [0.8, 0.83], reference: 'resnet_s' } },
  },
  spiky: {
    top1: 0.905,
    p50: 0.21,
    score: 0.905 / 0.0007,
    trials: { ...five([0.2, 0.26], 0.7, [0.6, 0.8]), failed: ['earlyStoppingMet', 'environmentPassed'] },
  },
  old: { top1: 0.82, p50: 0.1, score: 8200 },
};

/** The cells of the leaderboard row of a submission. */
const cellsOf = (page: string, id: string): string[] => {
  const row = new RegExp(`<tr id="entry-${id}"[^>]*>([\\s\\S]*?)</tr>`).exec(page);
  expect(row, `row of ${id}`).not.toBeNull();
  return [...row![1]!.matchAll(/<t[dh][^>]*>([\s\S]*?)<\/t[dh]>/g)].map((m) => m[1]!.trim());
};

describe('the latency statistic on the pages, over HTTP on SQLite', () => {
  const database = sqliteTestDatabase();
  let api: TestApi;
  const ids: Record<string, string> = {};
  useTestDatabase(database, {
    setUp: async () => {
      api = await startTestApi(database, 'stat-pages');
      const chosen = new Map<string, ReturnType<typeof resultRecord>>();
      for (const [team, c] of Object.entries(CHOSEN)) {
        const owner = await createTeam(api.db, `stat-pages-${team}`, T0);
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
        chosen.set(ids[team]!, resultRecord('fashion-mnist', 'test', c));
      }
      expect(await finishQueuedJobs(api.db, chosen, T0 + 1000)).toBe(3);
    },
    tearDown: async () => api?.close(),
  });

  async function admin(): Promise<TestBrowser> {
    const b = new TestBrowser(api.url);
    const res = await b.post('/login', { _csrf: TestBrowser.formToken(await b.get('/login')), token: TEST_ADMIN_TOKEN, next: '/' });
    expect(res.status).toBe(303);
    return b;
  }

  it("names the scores' statistic in the latency column's header and shows it with its interval", async () => {
    const page = (await (await admin()).get('/leaderboard/fashion-mnist')).body;
    expect(page).toContain(
      '<th scope="col" class="num" id="latency-column"><a href="/leaderboard/fashion-mnist?sort=latency&amp;order=asc">Mean latency, ms (interval)</a></th>',
    );
    // rank, team, submission, accuracy, latency, ...: the latency is the fifth cell
    expect(cellsOf(page, ids.steady!)[4]).toBe('0.350 <span class="hint" title="between-trial interval over 5 trials, coverage 93.75%">[0.330, 0.370]</span>');
    // The fastest median stands last: the column shows why (its mean).
    expect(cellsOf(page, ids.spiky!)[4]).toBe('0.700 <span class="hint" title="between-trial interval over 5 trials, coverage 93.75%">[0.600, 0.800]</span>');
    expect(cellsOf(page, ids.old!)[4]).toBe(
      '<span title="median: this result&#39;s record does not name a latency statistic of its score">median</span> 0.100 <span class="hint">[0.0980, 0.102]</span>',
    );
    expect(page).toContain('the intervals of the latency their scores used overlap');
  });

  it('shows on the status page the statistic with its interval, the relative latency with its interval, and validity', async () => {
    const b = await admin();
    const steady = (await b.get(`/submissions/${ids.steady}`)).body;
    expect(steady).toContain(
      '<dd id="score-statistic"><strong>mean</strong>, 0.350 ms; between-trial interval over 5 trials, coverage 93.75% [0.330 ms, 0.370 ms]</dd>',
    );
    expect(steady).toContain(
      '<dd id="relative-latency">0.8120 × <code>resnet_s</code>, between-trial interval over 5 trials, coverage 93.75% [0.8000, 0.8300]; each trial paired in one process</dd>',
    );
    expect(steady).toContain('<dd id="validity">valid</dd>');
    expect(steady).toContain(
      '<dt>Latency (median)</dt><dd>0.270 ms, between-trial interval over 5 trials, coverage 93.75% [0.240 ms, 0.300 ms]; 1,000 timed runs in all</dd>',
    );

    const spiky = (await b.get(`/submissions/${ids.spiky}`)).body;
    expect(spiky).toContain(
      '<dd id="validity"><strong>not valid</strong>: <code>earlyStoppingMet</code> (too few timed runs for LoadGen&#39;s early-stopping p90); <code>environmentPassed</code> (a trial broke the environment guards)</dd>',
    );
    expect(spiky).not.toContain('id="relative-latency"');

    // A record stored before protocol v2: shown as before, without the lines it has nothing for.
    const old = (await b.get(`/submissions/${ids.old}`)).body;
    expect(old).toContain('Status: done');
    expect(old).toContain('<dt>Latency (median)</dt><dd>0.100 ms, 95% interval [0.0980 ms, 0.102 ms] over 1,000 timed runs</dd>');
    for (const id of ['score-statistic', 'relative-latency', 'validity']) expect(old).not.toContain(`id="${id}"`);
  });
});

describe("the latency column when the scores' statistics differ or none is named", () => {
  const entry = (statistic: LeaderboardEntry['statistic']): LeaderboardEntry =>
    ({ statistic, latency: { unit: 'ms', p50: 0.2, ci95: [0.19, 0.21], count: 1000 } }) as LeaderboardEntry;
  const board = (statistic: Leaderboard['statistic'], entries: LeaderboardEntry[]): Leaderboard => ({ statistic, entries }) as Leaderboard;

  it('names each entry its statistic when they differ, and says why one has no interval', () => {
    const mean = entry({ name: 'mean', unit: 'ms', value: 0.35, ci95: [0.33, 0.37], coverage: 0.9375, trials: 5 });
    const es = entry({ name: 'p90EarlyStopping', unit: 'ms', value: 0.5, ci95: null, coverage: null, trials: 5 });
    const mixed = board(null, [mean, es]);
    expect(latencyHeader(mixed)).toBe('Latency the score used, ms (interval)');
    expect(latencyCell(mixed, mean).text).toBe(
      'mean 0.350 <span class="hint" title="between-trial interval over 5 trials, coverage 93.75%">[0.330, 0.370]</span>',
    );
    expect(latencyCell(mixed, es).text).toBe(
      'early-stopping p90 0.500 <span class="hint" title="LoadGen&#39;s early-stopping estimate is itself a confidence bound: no interval">(no interval)</span>',
    );
  });

  it('shows the median, as before, where no score names a statistic (an energy-only formula, or records from before)', () => {
    const plain = board(null, [entry(null)]);
    expect(latencyHeader(plain)).toBe('Median latency, ms (interval)');
    expect(latencyCell(plain, entry(null)).text).toBe('0.200 <span class="hint">[0.190, 0.210]</span>');
    const calibrated = entry({ name: 'calibrated', unit: 'ms', value: 0.25, ci95: [0.24, 0.26], coverage: 0.984375, trials: 7 });
    expect(latencyHeader(board('calibrated', [calibrated]))).toBe('Calibrated latency, ms (interval)');
  });
});
