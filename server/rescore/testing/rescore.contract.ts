/**
 * Public/private leaderboards and re-scoring, run on SQLite and on PostgreSQL (rescore.sqlite.test.ts,
 * rescore.postgres.test.ts): every result arrives the real way (an agent completes its jobs over HTTP and
 * the server scores them with its labels), then a re-score changes the formula from accuracy-per-time@1
 * to lpcv2025@1 over the API and the CLI, and the audit log and the rank diff are checked against ranks
 * worked out by hand below.
 *
 * The runs (correct images of N, mean latency): accuracy-per-time = accuracy / seconds per image;
 * lpcv2025 with cutoffMs=3 = accuracy, qualified when the mean latency is <= 3 ms.
 *
 *   sub  test (private, N=8000)    val (public, N=2000)
 *   A1   6400 (0.80) @ 1 ms  800   1700 (0.85) @ 1 ms  850
 *   B1   7200 (0.90) @ 2 ms  450   1900 (0.95) @ 2 ms  475
 *   C1   7600 (0.95) @ 4 ms  237.5 1960 (0.98) @ 4 ms  245
 *   D1   7200 (0.90) @ 2 ms  450   1800 (0.90) @ 2 ms  450
 *   A2   7800 (0.975) @ 1 ms 975   1600 (0.80) @ 1 ms  800   (team A's second: worse in public)
 *
 * B1 and D1 have the same private accuracy and the same latency samples: statistically tied (=2), B1 first
 * (earlier). A2 never counts: team A's entry is chosen on the public board (A1), not by its hidden score.
 */
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import type { ResultRecord } from '../../../harness/result-record.js';
import type { CreatedOwner } from '../../auth/index.js';
import type { TestDatabase } from '../../db/testing/databases.js';
import { useTestDatabase } from '../../db/testing/suite-hooks.js';
import { call, T0, TEST_ADMIN_TOKEN } from '../../http/testing/test-server.js';
import { buildLeaderboard, type Leaderboard } from '../../leaderboard/index.js';
import { finishQueuedJobs, resultRecord } from '../../leaderboard/testing/results.js';
import { countQuotaUsed } from '../../quota/index.js';
import type { RescoreAuditEntry, RescoreReport } from '../index.js';
import { completeQueuedJobs, publicTrack, samplesAround, startRescoreTestApi, submitAs, type ChosenRun, type RescoreTestApi } from './rescore-server.js';

const run = (correct: number, meanMs: number): ChosenRun => ({ correct, latencyMs: samplesAround(meanMs) });

export function rescoreContract(label: string, database: TestDatabase): void {
  describe(`public/private leaderboards and re-scoring on ${label}`, () => {
    let api: RescoreTestApi;
    const teams: Record<string, CreatedOwner> = {};
    const ids: Record<string, string> = {};
    const runs = new Map<string, ChosenRun>();
    const choose = (submission: string, split: string): ChosenRun => {
      const r = runs.get(`${submission}/${split}`);
      if (r === undefined) throw new Error(`no run chosen for ${submission}/${split}`);
      return r;
    };
    const plan = (key: string, test: ChosenRun, val?: ChosenRun): void => {
      runs.set(`${ids[key]!}/test`, test);
      if (val !== undefined) runs.set(`${ids[key]!}/val`, val);
    };

    useTestDatabase(database, {
      setUp: async () => {
        api = await startRescoreTestApi(database);
        for (const t of ['A', 'B', 'C', 'D', 'E']) teams[t] = await api.team(`rs-${label}-${t}`);
        for (const key of ['A1', 'B1', 'C1', 'D1', 'A2']) ids[key] = await submitAs(api, teams[key[0]!]!, 'fashion-public', key);
        plan('A1', run(6400, 1), run(1700, 1));
        plan('B1', run(7200, 2), run(1900, 2));
        plan('C1', run(7600, 4), run(1960, 4));
        plan('D1', run(7200, 2), run(1800, 2));
        plan('A2', run(7800, 1), run(1600, 1));
        ids.P1 = await submitAs(api, teams.A!, 'fashion-mnist', 'P1');
        ids.Q1 = await submitAs(api, teams.B!, 'fashion-mnist', 'Q1');
        plan('P1', run(6000, 1));
        plan('Q1', run(7000, 2));
        // 5 submissions x 2 splits on fashion-public, 2 x 1 on fashion-mnist.
        expect(await completeQueuedJobs(api, choose)).toBe(12);
      },
      tearDown: async () => api?.close(),
    });

    const board = async (track: string, token?: string, which?: 'public' | 'private'): Promise<Leaderboard> => {
      const res = await call(api, 'GET', `/api/leaderboard/${track}${which === undefined ? '' : `?board=${which}`}`, token);
      expect(res.status).toBe(200);
      return (await res.json()) as Leaderboard;
    };
    const name = (submission: string): string => Object.entries(ids).find(([, v]) => v === submission)?.[0] ?? submission;
    const ranks = (b: Leaderboard): Array<[string, string]> =>
      b.entries.map((e) => [name(e.submission), e.shownRank === null ? '—' : `${e.tied ? '=' : ''}${e.shownRank}`]);
    const rescore = async (body: unknown, token = TEST_ADMIN_TOKEN): Promise<Response> =>
      call(api, 'POST', '/api/admin/tracks/fashion-public/rescore', token, body);

    it('runs each submission on both splits as two jobs, and counts it once against the quota', async () => {
      const jobs = (await api.db('jobs').where('submission_id', ids.A1!).orderBy('id').select('split', 'state')) as Array<{ split: string; state: string }>;
      expect(jobs).toEqual([
        { split: 'test', state: 'done' },
        { split: 'val', state: 'done' },
      ]);
      const row = (await api.db('submissions').where('id', ids.A1!).first('job_id', 'public_job_id')) as { job_id: number; public_job_id: number };
      const byId = (await api.db('jobs').whereIn('id', [row.job_id, row.public_job_id]).select('id', 'split')) as Array<{ id: number; split: string }>;
      expect(Object.fromEntries(byId.map((j) => [j.split, Number(j.id)]))).toEqual({ test: Number(row.job_id), val: Number(row.public_job_id) });
      const window = { start: 0, end: Number.MAX_SAFE_INTEGER };
      expect(await countQuotaUsed(api.db, { teamId: teams.A!.id, track: 'fashion-public' }, window)).toBe(2);
    });

    it('shows everyone the public board before the reveal, and the private one only to its teams and admins', async () => {
      const pub = await board('fashion-public');
      expect({
        board: pub.board,
        split: pub.split,
        hiddenSplit: pub.hiddenSplit,
        complete: pub.complete,
        formula: pub.formula,
        entryRule: pub.entryRule,
      }).toEqual({
        board: 'public',
        split: 'val',
        hiddenSplit: false,
        complete: true,
        formula: 'accuracy-per-time@1',
        entryRule: 'best',
      });
      expect(ranks(pub)).toEqual([
        ['A1', '1'],
        ['B1', '2'],
        ['D1', '3'],
        ['C1', '4'],
      ]);
      expect(pub.entries.every((e) => e.privateRank === null)).toBe(true);
      expect(pub.entries[0]!.accuracy).toBe(0.85);

      const hidden = await board('fashion-public', undefined, 'private');
      expect({ entries: hidden.entries.length, withheld: hidden.withheld, complete: hidden.complete }).toEqual({ entries: 0, withheld: 4, complete: false });
      const mine = await board('fashion-public', teams.B!.token, 'private');
      expect(mine.entries.map((e) => [name(e.submission), e.rank, e.score])).toEqual([['B1', null, 0.9 / 0.002]]);

      const admin = await board('fashion-public', TEST_ADMIN_TOKEN, 'private');
      // A2 (the best private result) does not stand: team A's entry was chosen on the public board.
      expect(ranks(admin)).toEqual([
        ['A1', '1'],
        ['B1', '=2'],
        ['D1', '=2'],
        ['C1', '4'],
      ]);
      expect(admin.entries.map((e) => e.publicRank?.shownRank)).toEqual([1, 2, 3, 4]);
      // With entry "latest", team A's latest submission (A2) counts instead, on both boards.
      const latest = { ...publicTrack(), leaderboard: { entry: 'latest' as const, publicSplit: 'val', privateSplit: 'test' } };
      const latestPublic = await buildLeaderboard(api.db, latest, { kind: 'admin' }, { board: 'public' });
      expect(ranks(latestPublic)).toEqual([
        ['A2', '1'],
        ['B1', '2'],
        ['D1', '3'],
        ['C1', '4'],
      ]);
      expect(ranks(await buildLeaderboard(api.db, latest, { kind: 'admin' }, { board: 'private' }))[0]).toEqual(['A2', '1']);
      expect(admin.entries[1]!.latency!.ci95).toEqual(admin.entries[2]!.latency!.ci95);
    });

    it('refuses a re-score from a team, an unknown formula, a missing parameter and a malformed body, changing nothing', async () => {
      const code = async (res: Response): Promise<[number, string]> => [res.status, ((await res.json()) as { error: { code: string } }).error.code];
      expect(await code(await rescore({ formula: 'lpcv2025@1', params: { cutoffMs: 3 } }, teams.A!.token))).toEqual([403, 'LPCV_E_FORBIDDEN']);
      expect(await code(await rescore({ formula: 'no-such-formula@1' }))).toEqual([400, 'LPCV_E_RESCORE_FORMULA']);
      expect(await code(await rescore({ formula: 'accuracy-per-time@99' }))).toEqual([400, 'LPCV_E_RESCORE_FORMULA']);
      expect(await code(await rescore({ formula: 'lpcv2025@1' }))).toEqual([400, 'LPCV_E_RESCORE_FORMULA']);
      expect(await code(await rescore({ formula: 'lpcv2025@1', params: { cutoffMs: 'fast' } }))).toEqual([400, 'LPCV_E_RESCORE_FORMULA']);
      expect(await code(await rescore({ formula: 'lpcv2025@1', extra: true }))).toEqual([400, 'LPCV_E_BAD_REQUEST']);
      expect((await board('fashion-public')).formula).toBe('accuracy-per-time@1');
      expect(Number(((await api.db('rescore_audit').count({ n: '*' })) as Array<{ n: number | string }>)[0]!.n)).toBe(0);
    });

    it('dry-runs a formula change: reports the rank changes and audits them, stores nothing else', async () => {
      const res = await rescore({ formula: 'lpcv2025@1', params: { cutoffMs: 3 }, dryRun: true });
      expect(res.status).toBe(200);
      const report = (await res.json()) as RescoreReport;
      expect(report).toMatchObject({
        dryRun: true,
        old: { formula: 'accuracy-per-time@1' },
        new: { formula: 'lpcv2025@1', params: { accuracy: 'top1', cutoffMs: 3 } },
        results: { total: 10, changed: 10, failed: 0 },
      });
      expect(report.moves).toContain(`private board: ${teams.A!.name} (${ids.A1}): 1 -> 3`);
      const pub = await board('fashion-public');
      expect(pub.formula).toBe('accuracy-per-time@1');
      expect(ranks(pub)[0]).toEqual(['A1', '1']);
      expect(pub.entries[0]!.formula).toBe('accuracy-per-time@1');
    });

    it('re-scores with another formula: new scores and ranks from the stored raw measurements, the override, the audit entry and the rank diff', async () => {
      const res = await rescore({ formula: 'lpcv2025@1', params: { cutoffMs: 3 } });
      expect(res.status).toBe(200);
      const report = (await res.json()) as RescoreReport;
      expect(report).toMatchObject({
        dryRun: false,
        actor: 'admin (api)',
        new: { formula: 'lpcv2025@1', source: 'rescore' },
        results: { total: 10, changed: 10, failed: 0 },
      });

      const pub = await board('fashion-public');
      expect({ formula: pub.formula, formulaSource: pub.formulaSource }).toEqual({ formula: 'lpcv2025@1', formulaSource: 'rescore' });
      expect(ranks(pub)).toEqual([
        ['B1', '1'],
        ['D1', '2'],
        ['A1', '3'],
        ['C1', '—'],
      ]);
      const c1 = pub.entries[3]!;
      expect({ score: c1.score, qualified: c1.qualified, formula: c1.formula }).toEqual({ score: 0.98, qualified: false, formula: 'lpcv2025@1' });
      expect(c1.reason).toMatch(/cut-off/);
      const priv = await board('fashion-public', TEST_ADMIN_TOKEN, 'private');
      expect(ranks(priv)).toEqual([
        ['B1', '=1'],
        ['D1', '=1'],
        ['A1', '3'],
        ['C1', '—'],
      ]);

      // The job's record (the submission's status) is the re-scored one too.
      const status = (await (await call(api, 'GET', `/api/submissions/${ids.B1}`, teams.B!.token)).json()) as { result: ResultRecord };
      expect(status.result.score).toMatchObject({ formula: 'lpcv2025', version: 1, value: 0.9, qualified: true, statistic: { name: 'mean' } });

      const audit = (
        (await (await call(api, 'GET', '/api/admin/tracks/fashion-public/rescores', TEST_ADMIN_TOKEN)).json()) as { rescores: RescoreAuditEntry[] }
      ).rescores;
      expect(audit.map((a) => a.dryRun)).toEqual([false, true]);
      const entry = audit[0]!;
      expect(entry).toMatchObject({
        track: 'fashion-public',
        actor: 'admin (api)',
        oldFormula: 'accuracy-per-time@1',
        oldParams: { accuracy: 'top1' },
        newFormula: 'lpcv2025@1',
        newParams: { accuracy: 'top1', cutoffMs: 3 },
        resultsTotal: 10,
        resultsChanged: 10,
        resultsFailed: 0,
      });
      expect(new Date(entry.at).toISOString()).toBe(report.at);
      const moved = entry.rankDiff.filter((c) => c.moved).map((c) => [c.board, name(c.submission), c.from?.shown ?? null, c.to?.shown ?? null]);
      expect(moved).toEqual([
        ['private', 'B1', '=2', '=1'],
        ['private', 'D1', '=2', '=1'],
        ['private', 'A1', '1', '3'],
        ['private', 'C1', '4', '—'],
        ['public', 'B1', '2', '1'],
        ['public', 'D1', '3', '2'],
        ['public', 'A1', '1', '3'],
        ['public', 'C1', '4', '—'],
      ]);
      const a1 = entry.rankDiff.find((c) => c.board === 'private' && c.submission === ids.A1)!;
      expect({ from: a1.from?.score, to: a1.to?.score, fromFormula: a1.from?.formula, toFormula: a1.to?.formula }).toEqual({
        from: 0.8 / 0.001,
        to: 0.8,
        fromFormula: 'accuracy-per-time@1',
        toFormula: 'lpcv2025@1',
      });
      expect(api.internalErrors).toEqual([]);
    });

    it('scores a result completed after the re-score with the override, and after the reveal shows the private board with public ranks', async () => {
      ids.E1 = await submitAs(api, teams.E!, 'fashion-public', 'E1');
      plan('E1', run(7000, 1), run(1990, 1));
      expect(await completeQueuedJobs(api, choose)).toBe(2);
      const pub = await board('fashion-public');
      expect(ranks(pub)).toEqual([
        ['E1', '1'],
        ['B1', '2'],
        ['D1', '3'],
        ['A1', '4'],
        ['C1', '—'],
      ]);
      expect(pub.entries[0]!.formula).toBe('lpcv2025@1');

      expect((await call(api, 'POST', '/api/admin/tracks/fashion-public/reveal', TEST_ADMIN_TOKEN)).status).toBe(200);
      const after = await board('fashion-public');
      expect({ board: after.board, split: after.split, complete: after.complete }).toEqual({ board: 'private', split: 'test', complete: true });
      expect(after.entries.map((e) => [name(e.submission), e.shownRank, e.tied, e.publicRank?.shownRank ?? null])).toEqual([
        ['B1', 1, true, 2],
        ['D1', 1, true, 3],
        ['E1', 3, false, 1],
        ['A1', 4, false, 4],
        ['C1', null, false, null],
      ]);
      const pubAfter = await board('fashion-public', undefined, 'public');
      expect(pubAfter.entries.map((e) => [name(e.submission), e.privateRank?.shownRank ?? null])).toEqual([
        ['E1', 3],
        ['B1', 1],
        ['D1', 1],
        ['A1', 4],
        ['C1', null],
      ]);
    });

    it('re-scores from the command line (dry run, then for real, then back to the track file), auditing it as cli', async () => {
      const config = database.config();
      const dbArgs =
        config.client === 'sqlite'
          ? ['--data-dir', (await import('node:path')).dirname(config.filename)]
          : ['--database-url', config.connectionString, ...(config.schema ? ['--database-schema', config.schema] : [])];
      const lpcv = (...args: string[]) =>
        execa('node', ['bin/lpcv.js', 'rescore', '--track', 'fashion-mnist', ...args, ...dbArgs], { reject: false, env: { LPCV_DATABASE_URL: '' } });
      const before = await board('fashion-mnist', TEST_ADMIN_TOKEN);
      expect(ranks(before)).toEqual([
        ['P1', '1'],
        ['Q1', '2'],
      ]);

      const dry = await lpcv('--formula', 'lpcv2025@1', '--param', 'cutoffMs=3', '--dry-run', '--json');
      expect(dry.exitCode, dry.stderr).toBe(0);
      const report = JSON.parse(dry.stdout) as RescoreReport;
      expect(report).toMatchObject({ dryRun: true, actor: 'cli', results: { total: 2, changed: 2, failed: 0 } });
      expect(ranks(await board('fashion-mnist', TEST_ADMIN_TOKEN))).toEqual(ranks(before));

      const real = await lpcv('--formula', 'lpcv2025', '--param', 'cutoffMs=3');
      expect(real.exitCode, real.stderr).toBe(0);
      // The command reads the built-in track file, whose score divides by the calibrated latency; this test's server
      // serves the same track scored by the mean (its stand-in runs pair no reference).
      expect(real.stdout).toContain(
        'Re-scored track fashion-mnist: accuracy-per-time@1 (accuracy=top1, latency=calibrated) -> lpcv2025@1 (accuracy=top1, cutoffMs=3)',
      );
      expect(real.stdout).toContain(`private board: ${teams.A!.name} (${ids.P1}): 1 -> 2`);
      expect(real.stdout).toContain(`private board: ${teams.B!.name} (${ids.Q1}): 2 -> 1`);
      const now = await board('fashion-mnist', TEST_ADMIN_TOKEN);
      expect(ranks(now)).toEqual([
        ['Q1', '1'],
        ['P1', '2'],
      ]);
      expect(now.formula).toBe('lpcv2025@1');
      // The other track's override is its own.
      expect((await board('fashion-public')).formula).toBe('lpcv2025@1');

      const back = await lpcv('--track-file', '--json');
      expect(back.exitCode, back.stderr).toBe(0);
      expect(JSON.parse(back.stdout)).toMatchObject({ new: { formula: 'accuracy-per-time@1', source: 'track-file' } });
      const restored = await board('fashion-mnist', TEST_ADMIN_TOKEN);
      expect({ formula: restored.formula, source: restored.formulaSource }).toEqual({ formula: 'accuracy-per-time@1', source: 'track-file' });
      // Back to the file's rule: runs without a paired reference have no calibrated latency, so no score, and say why.
      expect(restored.entries.map((e) => [name(e.submission), e.score, e.reason?.includes('no calibrated latency')])).toEqual([
        ['P1', null, true],
        ['Q1', null, true],
      ]);
      expect(await api.db('track_formulas').where('track', 'fashion-mnist').first()).toBeUndefined();
      const audit = (await api.db('rescore_audit').where('track', 'fashion-mnist').orderBy('id').select('actor', 'dry_run', 'new_formula')) as Array<{
        actor: string;
        dry_run: unknown;
        new_formula: string;
      }>;
      expect(audit.map((a) => [a.actor, Boolean(a.dry_run), a.new_formula])).toEqual([
        ['cli', true, 'lpcv2025@1'],
        ['cli', false, 'lpcv2025@1'],
        ['cli', false, 'accuracy-per-time@1'],
      ]);

      const wrong = await lpcv('--formula', 'lpcv2025@x');
      expect(wrong.exitCode).toBe(2);
      expect(wrong.stderr).toMatch(/LPCV_E_RESCORE_FORMULA/);
    });

    it('refuses to store a re-score when a result has no raw measurement, and changes nothing', async () => {
      const id = await submitAs(api, teams.C!, 'fashion-mnist', 'R1');
      // Completed without the agent API: a results row with the record and no raw measurement (raw_json null),
      // as migration 0008 leaves a record that lived in the job row only.
      expect(await finishQueuedJobs(api.db, new Map([[id, resultRecord('fashion-mnist', 'test', { top1: 0.5, p50: 1, score: 500 })]]), T0 + 1e9)).toBe(1);
      const res = await call(api, 'POST', '/api/admin/tracks/fashion-mnist/rescore', TEST_ADMIN_TOKEN, { formula: 'lpcv2025@1', params: { cutoffMs: 3 } });
      expect(res.status).toBe(409);
      const body = (await res.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe('LPCV_E_RESCORE_FAILED');
      expect(body.error.message).toContain(id);
      expect((await board('fashion-mnist', TEST_ADMIN_TOKEN)).formula).toBe('accuracy-per-time@1');
      const dry = (await (
        await call(api, 'POST', '/api/admin/tracks/fashion-mnist/rescore', TEST_ADMIN_TOKEN, { formula: 'lpcv2025@1', params: { cutoffMs: 3 }, dryRun: true })
      ).json()) as RescoreReport;
      expect(dry.failures.map((f) => f.submission)).toEqual([id]);
      expect(dry.results).toEqual({ total: 3, changed: 2, failed: 1 });
    });
  });
}
