/**
 * A competition's phases over real HTTP, on a temporary SQLite file and a fresh PostgreSQL schema: uploads
 * outside an open phase are refused (403), a phase's total and failed-submission limits answer 429 with codes of
 * their own, infrastructure failures never count, and a phase with automatic reveal shows its private board
 * to anonymous viewers once it has ended, and not before. The app's clock is set per step, never slept on.
 */
import { describe, expect, it } from 'vitest';
import type { Competition, Phase } from '../../harness/competitions/competition.js';
import { resolveTrack } from '../../harness/tracks/load-track.js';
import { fixtureBytes } from '../../test/testing/onnx-fixtures.js';
import { createTeam, type CreatedOwner } from '../auth/index.js';
import { applyCompetition } from '../competitions/apply-competition.js';
import { postgresTestDatabase, sqliteTestDatabase } from '../db/testing/databases.js';
import { useTestDatabase } from '../db/testing/suite-hooks.js';
import type { Db } from '../db/index.js';
import { resultRecord } from '../leaderboard/testing/results.js';
import { completeWithRecord } from '../leaderboard/testing/results.js';
import { failJob, leaseJob } from '../queue/index.js';
import { postSubmission } from './testing/api-server.js';
import { startTestServer, type TestServer } from './testing/test-server.js';

const H = 3_600_000;
const B = Date.UTC(2027, 2, 1);
const tiny = fixtureBytes('tiny-conv.onnx');

const phase = (p: Partial<Phase> & Pick<Phase, 'name' | 'tracks' | 'startAt' | 'endAt'>): Phase => ({
  title: p.name,
  board: 'private',
  boardVisible: true,
  reveal: 'manual',
  quota: { perDay: null, total: null, failed: null },
  rounds: [],
  ...p,
});

/** dev (hours 10-20, rounds r1 10-15) and final (30-40, hidden board, automatic reveal) on `phased`; `free` has no phase. */
const COMPETITION: Competition = {
  name: 'spring',
  title: 'Spring',
  tracks: ['phased', 'boarded', 'free'],
  phases: [
    phase({
      name: 'dev',
      tracks: ['phased', 'boarded'],
      startAt: B + 10 * H,
      endAt: B + 20 * H,
      quota: { perDay: null, total: 2, failed: 1 },
      rounds: [{ name: 'r1', startAt: B + 10 * H, endAt: B + 15 * H }],
    }),
    phase({
      name: 'final',
      tracks: ['phased'],
      startAt: B + 30 * H,
      endAt: B + 40 * H,
      boardVisible: false,
      reveal: 'auto',
      quota: { perDay: 1, total: 1, failed: null },
    }),
  ],
  webhooks: [],
};

interface ErrorBody {
  error: { code: string; message: string };
}

for (const database of [sqliteTestDatabase(), postgresTestDatabase()])
  describe(`competition phases over HTTP on ${database.name}`, () => {
    let server: TestServer;
    let db: Db;
    let clock = B;
    let teams = 0;

    async function setUp(): Promise<void> {
      const fashion = resolveTrack('fashion-mnist');
      server = await startTestServer({
        database,
        tracks: [
          { ...fashion, name: 'phased' },
          // Its own target kind: the tests that fail jobs lease exactly its jobs.
          { ...fashion, name: 'boarded', target: { ...fashion.target, kind: 'phase-board' } },
          { ...fashion, name: 'free' },
        ],
        now: () => (clock += 1),
        quota: { perDay: 5 },
      });
      db = server.db;
      await applyCompetition(db, COMPETITION, { now: B, actor: 'test' });
    }
    useTestDatabase(database, { setUp, tearDown: async () => server?.close() });

    const newTeam = (): Promise<CreatedOwner> => createTeam(db, `phase-${++teams}`, clock);
    const submit = (team: CreatedOwner, track: string): Promise<Response> =>
      postSubmission(
        server,
        [
          { name: 'track', value: track },
          { name: 'file', value: tiny, filename: 'model.onnx' },
        ],
        team.token,
      );
    async function accept(team: CreatedOwner, track: string): Promise<string> {
      const res = await submit(team, track);
      const body = (await res.json()) as { id?: string };
      expect({ status: res.status, body }).toMatchObject({ status: 201, body: { id: expect.any(String) } });
      return body.id!;
    }
    async function refused(res: Response, status: number, code: string): Promise<string> {
      const body = (await res.json()) as ErrorBody;
      expect({ status: res.status, code: body.error?.code }).toEqual({ status, code });
      return body.error.message;
    }
    const count = async (table: string): Promise<number> => Number(((await db(table).count({ n: '*' })) as Array<{ n: number | string }>)[0]!.n);
    const placement = async (id: string): Promise<unknown> => db('submissions').where('id', id).first('phase', 'round');

    it('refuses uploads before a phase opens, between phases and after the last, storing nothing; a track without phases stays open', async () => {
      const team = await newTeam();
      clock = B + 9 * H;
      const before = { submissions: await count('submissions'), files: server.storedFiles() };
      const early = await refused(await submit(team, 'phased'), 403, 'LPCV_E_PHASE_CLOSED');
      expect(early).toBe(`no phase is open for submissions on track phased: the next phase, dev, opens at ${new Date(B + 10 * H).toISOString()} (in 59 min)`);
      expect({ submissions: await count('submissions'), files: server.storedFiles() }).toEqual(before);
      expect(await placement(await accept(team, 'free'))).toEqual({ phase: null, round: null });

      clock = B + 25 * H;
      expect(await refused(await submit(team, 'phased'), 403, 'LPCV_E_PHASE_CLOSED')).toMatch(/the next phase, final, opens at/);
      // boarded's only phase has closed and none follows.
      expect(await refused(await submit(team, 'boarded'), 403, 'LPCV_E_PHASE_CLOSED')).toBe(
        `no phase is open for submissions on track boarded: the last phase, dev, closed at ${new Date(B + 20 * H).toISOString()}; no phase follows`,
      );
      // The last moments of a phase are in it (the request reads the clock a few times, 1 ms apart); its end is not.
      clock = B + 20 * H - 50;
      await accept(team, 'boarded');
      clock = B + 20 * H - 1; // the first reading is the end
      expect(await refused(await submit(team, 'boarded'), 403, 'LPCV_E_PHASE_CLOSED')).toMatch(/closed at/);
    });

    it("records the phase and round; the phase's total answers 429 with its own code and no reset time", async () => {
      const team = await newTeam();
      clock = B + 11 * H;
      expect(await placement(await accept(team, 'phased'))).toEqual({ phase: 'dev', round: 'r1' });
      clock = B + 16 * H; // between rounds: in the phase, in no round
      expect(await placement(await accept(team, 'phased'))).toEqual({ phase: 'dev', round: null });
      const res = await submit(team, 'phased');
      expect(res.headers.get('retry-after')).toBeNull();
      expect(await refused(res, 429, 'LPCV_E_QUOTA_TOTAL_EXCEEDED')).toBe(
        'phase dev allows 2 submission(s) per team on track phased, and the team has made 2 (failures of the infrastructure do not count); this limit does not reset during the phase',
      );
      // Another team, and the same team on the track without phases, are unaffected.
      await accept(await newTeam(), 'phased');
      await accept(team, 'free');
    });

    it("counts failures of the submission's fault against the phase's cap on failed submissions, never the infrastructure's", async () => {
      const team = await newTeam();
      clock = B + 12 * H;
      await accept(team, 'boarded');
      let at = clock;
      const lease = async (): Promise<{ jobId: number; token: string }> => {
        const leased = await leaseJob(db, { agentId: 'phase-agent', targetKinds: ['phase-board'], leaseMs: 60_000 }, (at += 60_000));
        expect(leased).not.toBeNull();
        return { jobId: leased!.job.id, token: leased!.token };
      };
      // The infrastructure gives up on the first job: it counts neither in the total nor as a failure.
      const infra = {
        fault: 'infrastructure' as const,
        code: 'LPCV_E_WORKER_FAILED',
        message: 'the board went away',
        backoff: { baseMs: 1, capMs: 1, jitter: 0, random: () => 0 },
      };
      for (;;) {
        const change = await failJob(db, { ...(await lease()), ...infra }, at);
        if (change.ok && change.job.state === 'dead') break;
      }
      await accept(team, 'boarded');
      // The second fails by the model's own fault: the cap of 1 failed submission is reached (the total of 2 is not).
      const crash = { fault: 'submission' as const, code: 'LPCV_E_MODEL_CRASHED', message: 'the model crashed the inference process' };
      expect(await failJob(db, { ...(await lease()), ...crash }, at)).toMatchObject({ ok: true, job: { state: 'failed' } });
      expect(await refused(await submit(team, 'boarded'), 429, 'LPCV_E_QUOTA_FAILED_EXCEEDED')).toMatch(
        /allows 1 failed submission\(s\) per team on track boarded, and 1 of the team's failed/,
      );
    });

    it('a phase with automatic reveal shows its private board to anonymous viewers after its end, and not before', async () => {
      const team = await newTeam();
      clock = B + 31 * H;
      const id = await accept(team, 'phased');
      expect(await placement(id)).toEqual({ phase: 'final', round: null });
      // The final's daily limit (1) overrides the server's (5).
      expect(await refused(await submit(team, 'phased'), 429, 'LPCV_E_QUOTA_EXCEEDED')).toMatch(/1 of 1/);
      for (;;) {
        const leased = await leaseJob(db, { agentId: 'phase-device', targetKinds: ['desktop'], leaseMs: 60_000 }, clock);
        expect(leased).not.toBeNull();
        if (leased!.job.submissionId !== id) continue;
        expect(
          await completeWithRecord(
            db,
            { jobId: leased!.job.id, token: leased!.token },
            resultRecord('phased', 'test', { top1: 0.9, p50: 2, score: 0.5 }),
            clock,
          ),
        ).toBe(true);
        break;
      }
      const board = async (
        token?: string,
      ): Promise<{ revealedAt: string | null; revealedBy: string | null; phase: unknown; entries: Array<{ submission: string }> }> => {
        const res = await fetch(`${server.url}/api/leaderboard/phased`, token === undefined ? {} : { headers: { authorization: `Bearer ${token}` } });
        expect(res.status).toBe(200);
        return (await res.json()) as never;
      };
      clock = B + 40 * H - 10;
      const during = await board();
      expect(during).toMatchObject({ revealedAt: null, revealedBy: null, phase: { name: 'final', boardVisible: false } });
      expect(during.entries.map((e) => e.submission)).not.toContain(id);
      // Its own team sees it while the board is hidden.
      expect((await board(team.token)).entries.map((e) => e.submission)).toContain(id);

      clock = B + 40 * H;
      const after = await board();
      expect(after).toMatchObject({ revealedAt: new Date(B + 40 * H).toISOString(), revealedBy: 'phase', phase: null });
      expect(after.entries.map((e) => e.submission)).toContain(id);
      const page = await (await fetch(`${server.url}/leaderboard/phased`)).text();
      expect(page).toContain(`the end of a phase revealed the results <time datetime="${new Date(B + 40 * H).toISOString()}">`);
    });
  });
