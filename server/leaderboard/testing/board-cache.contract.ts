/**
 * The board cache (board-cache.ts) over real HTTP, run on SQLite and on PostgreSQL: a board is served from the
 * cache while nothing changed, and never stale: every kind of write that changes a board, made as the server
 * makes it (its routes and functions) or behind its back (a plain UPDATE, as another process might), changes the
 * next read; and so does the clock crossing a phase's end, with no write at all.
 *
 * The tests run in order on one database and build on each other (each one's reads before and after its write).
 */
import { get as httpGet, type IncomingHttpHeaders } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { Competition } from '../../../harness/competitions/competition.js';
import type { ResultRecord } from '../../../harness/result-record.js';
import { resolveTrack } from '../../../harness/tracks/load-track.js';
import type { Track } from '../../../harness/tracks/track.js';
import { fixtureBytes } from '../../../test/testing/onnx-fixtures.js';
import { createTeam, type CreatedOwner } from '../../auth/index.js';
import { seedBaselines } from '../../baselines/seed-baselines.js';
import { applyCompetition } from '../../competitions/apply-competition.js';
import { BOARD_TABLES } from '../../db/migrations/0012-board-version.js';
import type { TestDatabase } from '../../db/testing/databases.js';
import { useTestDatabase } from '../../db/testing/suite-hooks.js';
import { postSubmission } from '../../http/testing/api-server.js';
import { startTestServer, T0, TEST_ADMIN_TOKEN, type TestServer } from '../../http/testing/test-server.js';
import { BoardCache, boardCacheOf, boardTriggersPresent, compactBoardVersion, readBoardVersion } from '../board-cache.js';
import { buildLeaderboard, selectEntry, type Leaderboard } from '../index.js';
import { finishQueuedJobs, resultRecord, type ChosenResult } from './results.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

export function boardCacheContract(label: string, database: TestDatabase): void {
  describe(`the board cache on ${label}`, () => {
    let server: TestServer;
    const teams = {} as Record<'A' | 'B', CreatedOwner>;
    const ids: Record<string, string> = {};
    let clock = T0;
    const fashion = resolveTrack('fashion-mnist');
    const chosen: Track = { ...fashion, name: 'chosen', leaderboard: { entry: 'selected' } };
    /** A track without results: a re-score of it succeeds without raw measurements (results.ts stores none). */
    const unscored: Track = { ...fashion, name: 'unscored' };
    const rec = (track: string, c: ChosenResult): ResultRecord => resultRecord(track, 'test', c);

    const upload = async (key: string, team: CreatedOwner, track = 'fashion-mnist'): Promise<void> => {
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

    useTestDatabase(database, {
      setUp: async () => {
        server = await startTestServer({ database, tracks: [fashion, chosen, unscored], admin: true, now: () => clock });
        teams.A = await createTeam(server.db, `cache-${label}-a`, T0);
        teams.B = await createTeam(server.db, `cache-${label}-b`, T0);
        const [linear] = (await seedBaselines(server.db, server.store, [fashion], () => T0)).filter((b) => b.name === 'linear');
        ids.linear = linear!.submissionId;
        await upload('A1', teams.A);
        await upload('B1', teams.B);
        await upload('S1', teams.A, 'chosen');
        await upload('S2', teams.A, 'chosen');
        const results = new Map<string, ResultRecord | 'fail'>([
          [ids.linear, rec('fashion-mnist', { top1: 0.82, p50: 0.04, score: 20_000 })],
          [ids.A1!, rec('fashion-mnist', { top1: 0.9, p50: 0.1, score: 9_000 })],
          [ids.B1!, rec('fashion-mnist', { top1: 0.95, p50: 1.0, score: 950 })],
          [ids.S1!, rec('chosen', { top1: 0.9, p50: 0.1, score: 9_000 })],
          [ids.S2!, rec('chosen', { top1: 0.8, p50: 0.1, score: 8_000 })],
        ]);
        await finishQueuedJobs(server.db, results, clock);
      },
      tearDown: async () => server?.close(),
    });

    const get = (path: string, token?: string): Promise<Response> =>
      fetch(`${server.url}${path}`, { headers: token === undefined ? {} : { authorization: `Bearer ${token}` } });
    const board = async (token?: string, track = 'fashion-mnist', query = ''): Promise<Leaderboard> => {
      const res = await get(`/api/leaderboard/${track}${query}`, token);
      expect(res.status).toBe(200);
      return (await res.json()) as Leaderboard;
    };
    const submissions = (b: Leaderboard): string[] => b.entries.map((e) => e.submission);
    const admin = (path: string, method: 'POST' | 'DELETE', body?: unknown): Promise<Response> =>
      fetch(`${server.url}${path}`, {
        method,
        headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });

    it('builds a board from the tables the triggers cover, and every one of them has its triggers', async () => {
      const tables = new Set<string>();
      const listen = (q: { sql: string }): void => {
        for (const m of q.sql.matchAll(/\b(?:from|join)\s+[`"]?(\w+)[`"]?/gi)) tables.add(m[1]!.toLowerCase());
      };
      server.db.on('query', listen);
      try {
        await buildLeaderboard(server.db, fashion, { kind: 'anonymous' }, { now: clock });
        await buildLeaderboard(server.db, chosen, { kind: 'team', teamId: teams.A.id, teamName: teams.A.name }, { now: clock, sort: 'score' });
      } finally {
        server.db.off('query', listen);
      }
      expect([...tables].filter((t) => !(BOARD_TABLES as readonly string[]).includes(t))).toEqual([]);
      expect(tables.has('results') && tables.has('submissions')).toBe(true);
      const triggers = (
        server.db.dialect === 'postgres'
          ? await server.db.raw(`SELECT DISTINCT event_object_table AS t FROM information_schema.triggers WHERE trigger_schema = current_schema()`)
          : await server.db.raw(`SELECT DISTINCT tbl_name AS t FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'board_version_%'`)
      ) as { rows?: Array<{ t: string }> } | Array<{ t: string }>;
      const rows = Array.isArray(triggers) ? triggers : (triggers.rows ?? []);
      expect(rows.map((r) => r.t).sort()).toEqual([...BOARD_TABLES].sort());
    });

    it('serves a repeated read from the cache, and builds each viewer and view once', async () => {
      const cache = boardCacheOf(server.db);
      const first = await board(TEST_ADMIN_TOKEN);
      const builds = cache.buildCount;
      expect(await board(TEST_ADMIN_TOKEN)).toEqual(first);
      expect(cache.buildCount).toBe(builds);
      await board();
      await board(undefined, 'fashion-mnist', '?sort=score');
      await board(teams.A.token);
      expect(cache.buildCount).toBe(builds + 3);
      await board();
      await board(teams.A.token);
      expect(cache.buildCount).toBe(builds + 3);
    });

    it('sends the kept board gzipped to a client that accepts it, as it is to one that does not, with the ETag of its bytes', async () => {
      const raw = (headers: Record<string, string>): Promise<{ headers: IncomingHttpHeaders; body: Buffer }> =>
        new Promise((resolve, reject) => {
          httpGet(`${server.url}/api/leaderboard/fashion-mnist`, { headers }, (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c)).on('end', () => resolve({ headers: res.headers, body: Buffer.concat(chunks) }));
          }).on('error', reject);
        });
      const plain = await raw({});
      const zipped = await raw({ 'accept-encoding': 'gzip, deflate' });
      expect([plain.headers['content-encoding'], zipped.headers['content-encoding']]).toEqual([undefined, 'gzip']);
      expect(gunzipSync(zipped.body).equals(plain.body)).toBe(true);
      expect(JSON.parse(plain.body.toString('utf8'))).toEqual(await board());
      expect(plain.headers.etag).not.toBe(zipped.headers.etag);
      expect((await raw({ 'if-none-match': plain.headers.etag! })).body.length).toBe(0);
    });

    it('shows each viewer its own board: a team sees its own hidden-split entry, an anonymous reader only the baselines', async () => {
      expect(submissions(await board(teams.A.token))).toEqual([ids.linear, ids.A1]);
      expect(submissions(await board(teams.B.token))).toEqual([ids.linear, ids.B1]);
      expect(submissions(await board())).toEqual([ids.linear]);
      expect(submissions(await board(TEST_ADMIN_TOKEN))).toEqual([ids.linear, ids.A1, ids.B1]);
    });

    it("follows a job's completion", async () => {
      await upload('B2', teams.B);
      expect(submissions(await board(TEST_ADMIN_TOKEN))).not.toContain(ids.B2);
      await finishQueuedJobs(server.db, new Map([[ids.B2!, rec('fashion-mnist', { top1: 0.97, p50: 0.05, score: 19_400 })]]), clock);
      expect(submissions(await board(TEST_ADMIN_TOKEN))).toEqual([ids.linear, ids.B2, ids.A1]);
    });

    it("follows an admin's reveal and hide, on the API and on the page", async () => {
      const page = async (): Promise<string> => {
        const res = await get('/leaderboard/fashion-mnist');
        expect(res.status).toBe(200);
        return res.text();
      };
      expect(submissions(await board())).toEqual([ids.linear]);
      expect(await page()).not.toContain(`entry-${ids.B2}`);
      expect((await admin('/api/admin/tracks/fashion-mnist/reveal', 'POST')).status).toBe(200);
      expect(submissions(await board())).toEqual([ids.linear, ids.B2, ids.A1]);
      const revealed = await page();
      expect(revealed).toContain(`entry-${ids.B2}`);
      expect(revealed).not.toContain('placeholder');
      expect((await admin('/api/admin/tracks/fashion-mnist/reveal', 'DELETE')).status).toBe(200);
      expect(submissions(await board())).toEqual([ids.linear]);
      expect(await page()).not.toContain(`entry-${ids.B2}`);
    });

    it('follows a re-score that sets another formula, and one back to the track file', async () => {
      expect((await board(TEST_ADMIN_TOKEN, 'unscored')).formula).toBe('accuracy-per-time@1');
      const res = await admin('/api/admin/tracks/unscored/rescore', 'POST', { formula: 'lpcv2025@1', params: { cutoffMs: 3 } });
      expect(res.status).toBe(200);
      const after = await board(TEST_ADMIN_TOKEN, 'unscored');
      expect({ formula: after.formula, source: after.formulaSource }).toEqual({ formula: 'lpcv2025@1', source: 'rescore' });
      expect((await admin('/api/admin/tracks/unscored/rescore', 'POST', { trackFile: true })).status).toBe(200);
      expect((await board(TEST_ADMIN_TOKEN, 'unscored')).formulaSource).toBe('track-file');
    });

    // What a re-score stores (rescore-track.ts), here written as any other process could.
    it("follows a result's record rewritten in place, by a writer the server does not know (another process)", async () => {
      const before = await board(TEST_ADMIN_TOKEN);
      expect(before.entries.find((e) => e.submission === ids.A1)?.score).toBe(9_000);
      const record = rec('fashion-mnist', { top1: 0.9, p50: 0.1, score: 99_000 });
      await server
        .db('results')
        .whereIn('job_id', server.db('submissions').select('job_id').where('id', ids.A1!))
        .update({ record_json: JSON.stringify(record) });
      const after = await board(TEST_ADMIN_TOKEN);
      expect(after.entries.find((e) => e.submission === ids.A1)).toMatchObject({ score: 99_000, rank: 1 });
    });

    it("follows a team's new name", async () => {
      expect((await board(TEST_ADMIN_TOKEN)).entries.find((e) => e.submission === ids.B2)?.team).toBe(teams.B.name);
      await server
        .db('teams')
        .where('id', teams.B.id)
        .update({ name: `renamed-${label}` });
      expect((await board(TEST_ADMIN_TOKEN)).entries.find((e) => e.submission === ids.B2)?.team).toBe(`renamed-${label}`);
    });

    it("follows an admin's re-run of a submission: its result is gone until the run is done again", async () => {
      expect(submissions(await board(TEST_ADMIN_TOKEN))).toContain(ids.B2);
      const res = await admin(`/api/admin/submissions/${ids.B2}/rerun`, 'POST', { reason: 'cache test' });
      expect(res.status).toBe(200);
      // B's other submission stands for it meanwhile.
      expect(submissions(await board(TEST_ADMIN_TOKEN))).toEqual([ids.A1, ids.linear, ids.B1]);
    });

    it("follows a team's selected entry", async () => {
      const stands = async (): Promise<string[]> => submissions(await board(TEST_ADMIN_TOKEN, 'chosen'));
      // Without a selection the team's best stands.
      expect(await stands()).toEqual([ids.S1]);
      await selectEntry(server.db, { teamId: teams.A.id, track: chosen, submissionId: ids.S2!, by: 'team (test)' }, clock);
      expect(await stands()).toEqual([ids.S2]);
      await selectEntry(server.db, { teamId: teams.A.id, track: chosen, submissionId: ids.S1!, by: 'team (test)' }, clock);
      expect(await stands()).toEqual([ids.S1]);
    });

    it("follows a competition applied, and the clock crossing its phase's end (a hidden board, then the automatic reveal) with no write", async () => {
      const before = await board(teams.A.token);
      expect(before.phase).toBeNull();
      const competition: Competition = {
        name: 'cache',
        title: 'Cache',
        tracks: ['fashion-mnist'],
        phases: [
          {
            name: 'final',
            title: 'Final',
            tracks: ['fashion-mnist'],
            startAt: clock - DAY,
            endAt: clock + HOUR,
            rounds: [],
            board: 'private',
            boardVisible: false,
            reveal: 'auto',
            quota: { perDay: null, total: null, failed: null },
          },
        ],
        webhooks: [],
      };
      await applyCompetition(server.db, competition, { now: clock, actor: 'test', force: true });
      const during = await board(teams.B.token);
      expect(during.phase).toMatchObject({ name: 'final', boardVisible: false });
      expect({ revealedAt: during.revealedAt, entries: submissions(during) }).toEqual({ revealedAt: null, entries: [ids.linear, ids.B1] });
      expect(submissions(await board())).toEqual([ids.linear]);
      const version = await readBoardVersion(server.db);
      clock += HOUR;
      expect(await readBoardVersion(server.db)).toBe(version);
      const after = await board(teams.B.token);
      expect({ phase: after.phase, revealedBy: after.revealedBy }).toEqual({ phase: null, revealedBy: 'phase' });
      expect(submissions(after)).toEqual([ids.A1, ids.linear, ids.B1]);
      expect(submissions(await board())).toEqual([ids.A1, ids.linear, ids.B1]);
    });

    // Last: it drops a trigger.
    it('builds every board afresh, never from the cache, when a table lost its triggers (a later migration rebuilt it)', async () => {
      const cache = new BoardCache(server.db);
      await cache.board(fashion, { kind: 'admin' }, {}, clock);
      await cache.board(fashion, { kind: 'admin' }, {}, clock);
      expect(cache.buildCount).toBe(1);
      expect(await boardTriggersPresent(server.db)).toBe(true);
      await server.db.raw(server.db.dialect === 'postgres' ? 'DROP TRIGGER board_version_teams ON teams' : 'DROP TRIGGER board_version_teams_update');
      expect(await boardTriggersPresent(server.db)).toBe(false);
      const unguarded = new BoardCache(server.db);
      await unguarded.board(fashion, { kind: 'admin' }, {}, clock);
      await unguarded.board(fashion, { kind: 'admin' }, {}, clock);
      expect(unguarded.buildCount).toBe(2);
    });

    it.runIf(label === 'postgres')('bumps the version when the writing transaction commits, once, and not before', async () => {
      const reader = await database.open();
      const version = await readBoardVersion(reader);
      await server.db.transaction(async (tx) => {
        await tx('track_reveals').insert({ track: 'chosen', revealed_at: clock, revealed_by: 'test' });
        await tx('track_reveals').where('track', 'chosen').delete();
        await tx('track_reveals').insert({ track: 'chosen', revealed_at: clock, revealed_by: 'test' });
        expect(await readBoardVersion(reader)).toBe(version);
      });
      expect(await readBoardVersion(reader)).toBe(version + 1);
      await server.db('track_reveals').where('track', 'chosen').delete();
      expect(await readBoardVersion(reader)).toBe(version + 2);
      // Folding the change rows into the counter keeps the version; the next change still raises it.
      expect(Number((await server.db('board_changes').count('* as n'))[0]!.n)).toBeGreaterThan(0);
      await compactBoardVersion(server.db);
      expect(Number((await server.db('board_changes').count('* as n'))[0]!.n)).toBe(0);
      expect(await readBoardVersion(reader)).toBe(version + 2);
      await server.db('track_reveals').insert({ track: 'chosen', revealed_at: clock, revealed_by: 'test' });
      expect(await readBoardVersion(reader)).toBe(version + 3);
    });
  });
}
