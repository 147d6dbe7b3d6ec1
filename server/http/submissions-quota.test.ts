/**
 * Quotas over real HTTP: the app on an ephemeral port over a temporary SQLite file and a fresh PostgreSQL
 * schema, with its own clock (set per test, never slept on) and a quota of 5 per team per track per UTC day.
 */
import { request, type ClientRequest, type IncomingMessage } from 'node:http';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveTrack } from '../../harness/tracks/load-track.js';
import { fixtureBytes } from '../../test/testing/onnx-fixtures.js';
import { createTeam, type CreatedOwner } from '../auth/index.js';
import { postgresTestDatabase, sqliteTestDatabase } from '../db/testing/databases.js';
import { useTestDatabase } from '../db/testing/suite-hooks.js';
import type { Db } from '../db/index.js';
import { failJob, leaseJob } from '../queue/index.js';
import { countQuotaUsed, quotaWindow } from '../quota/index.js';
import { postSubmission } from './testing/api-server.js';
import { startTestServer, type TestServer } from './testing/test-server.js';

const DAY = 86_400_000;
/** 2027-01-15T00:00:00.000Z: every test moves the clock to a day of its own. */
const DAY0 = Date.UTC(2027, 0, 15);
const tiny = fixtureBytes('tiny-conv.onnx');

interface ErrorBody {
  error: { code: string; message: string };
}

for (const database of [sqliteTestDatabase(), postgresTestDatabase()])
  describe(`submission quotas on ${database.name}`, () => {
    let server: TestServer;
    let db: Db;
    let clock = DAY0;
    let teams = 0;

    async function setUp(): Promise<void> {
      const fashion = resolveTrack('fashion-mnist');
      server = await startTestServer({
        database,
        tracks: [
          fashion,
          { ...fashion, name: 'fashion-twin' },
          // Its own target kind: the queue test leases exactly its jobs.
          { ...fashion, name: 'fashion-board', target: { ...fashion.target, kind: 'quota-board' } },
          { ...fashion, name: 'two-a-day' },
          { ...fashion, name: 'no-limit' },
        ],
        now: () => (clock += 1),
        quota: { perDay: 5, perTrack: { 'two-a-day': 2, 'no-limit': 0 } },
      });
      db = server.db;
    }
    useTestDatabase(database, { setUp, tearDown: async () => server?.close() });

    const newTeam = (): Promise<CreatedOwner> => createTeam(db, `quota-${++teams}`, clock);
    const storedFiles = (): string[] => server.storedFiles();
    const count = async (table: string): Promise<number> => Number(((await db(table).count({ n: '*' })) as Array<{ n: number | string }>)[0]!.n);
    const snapshot = async (): Promise<{ files: string[]; submissions: number; jobs: number }> => ({
      files: storedFiles(),
      submissions: await count('submissions'),
      jobs: await count('jobs'),
    });

    const submit = (team: CreatedOwner, track: string, model: Uint8Array = tiny): Promise<Response> =>
      postSubmission(
        server,
        [
          { name: 'track', value: track },
          { name: 'file', value: model, filename: 'model.onnx' },
        ],
        team.token,
      );

    async function accept(team: CreatedOwner, track: string, model?: Uint8Array): Promise<string> {
      const res = await submit(team, track, model);
      const body = (await res.json()) as { id?: string } & Partial<ErrorBody>;
      expect({ status: res.status, body }).toMatchObject({ status: 201, body: { id: expect.any(String) } });
      return body.id!;
    }

    async function expectQuotaRefusal(res: Response): Promise<{ message: string; retryAfter: number }> {
      const body = (await res.json()) as ErrorBody;
      expect({ status: res.status, code: body.error?.code }).toEqual({ status: 429, code: 'LPCV_E_QUOTA_EXCEEDED' });
      expect(Object.keys(body)).toEqual(['error']);
      const retryAfter = res.headers.get('retry-after');
      expect(retryAfter).toMatch(/^[1-9][0-9]*$/);
      return { message: body.error.message, retryAfter: Number(retryAfter) };
    }

    it('accepts 5 a day, refuses the 6th with 429, the limit, the count and the reset time, and stores nothing', async () => {
      clock = DAY0 + 10 * 3_600_000; // 10:00 UTC
      const team = await newTeam();
      for (let i = 0; i < 5; i++) await accept(team, 'fashion-mnist');

      const before = await snapshot();
      const sent = clock;
      const { message, retryAfter } = await expectQuotaRefusal(await submit(team, 'fashion-mnist'));
      expect(message).toContain('5 of 5');
      expect(message).toContain('fashion-mnist');
      expect(message).toContain(new Date(DAY0 + DAY).toISOString());
      // 14 hours to midnight, less the few milliseconds the clock moved.
      expect(retryAfter).toBe(Math.ceil((DAY0 + DAY - sent) / 1000));
      expect(await snapshot()).toEqual(before);
      expect(storedFiles().filter((f) => f.startsWith('tmp'))).toEqual([]);
    });

    it('counts per track and per team: another track and another team are unaffected', async () => {
      clock = DAY0 + 1 * DAY + 3_600_000;
      const [team, other] = [await newTeam(), await newTeam()];
      for (let i = 0; i < 5; i++) await accept(team, 'fashion-mnist');
      await expectQuotaRefusal(await submit(team, 'fashion-mnist'));

      await accept(team, 'fashion-twin');
      for (let i = 0; i < 5; i++) await accept(other, 'fashion-mnist');
      await expectQuotaRefusal(await submit(other, 'fashion-mnist'));
    });

    it('applies per-track overrides: 2 on one track, none at all (0) on another', async () => {
      clock = DAY0 + 2 * DAY;
      const team = await newTeam();
      await accept(team, 'two-a-day');
      await accept(team, 'two-a-day');
      expect((await expectQuotaRefusal(await submit(team, 'two-a-day'))).message).toContain('2 of 2');
      for (let i = 0; i < 7; i++) await accept(team, 'no-limit');
    });

    it('resets at 00:00 UTC: used up at 23:59:59, allowed again at midnight', async () => {
      clock = DAY0 + 4 * DAY - 60_000; // 23:59:00
      const team = await newTeam();
      for (let i = 0; i < 5; i++) await accept(team, 'fashion-mnist');
      clock = DAY0 + 4 * DAY - 600; // 23:59:59.400; the request reads the clock a few times
      const { retryAfter } = await expectQuotaRefusal(await submit(team, 'fashion-mnist'));
      expect(retryAfter).toBe(1);

      clock = DAY0 + 4 * DAY - 1; // the next reading is 00:00:00.000 of the next day
      await accept(team, 'fashion-mnist');
      const created = (await db('submissions').where('team_id', team.id).max({ at: 'created_at' }))[0] as { at: number };
      expect(created.at).toBeGreaterThanOrEqual(DAY0 + 4 * DAY);
      for (let i = 0; i < 4; i++) await accept(team, 'fashion-mnist');
      await expectQuotaRefusal(await submit(team, 'fashion-mnist'));
    });

    it('does not count a job that died for infrastructure reasons; counts one failed for the submission, and one being retried', async () => {
      clock = DAY0 + 5 * DAY + 3_600_000;
      const team = await newTeam();
      const subject = { teamId: team.id, track: 'fashion-board' };
      for (let i = 0; i < 5; i++) await accept(team, 'fashion-board');
      await expectQuotaRefusal(await submit(team, 'fashion-board'));

      // Leases happen later the same day, each after the previous retry's backoff (at most 15 minutes).
      let at = clock + 60_000;
      const lease = async (): Promise<{ jobId: number; token: string }> => {
        const leased = await leaseJob(db, { agentId: 'quota-agent', targetKinds: ['quota-board'], leaseMs: 60_000 }, (at += 3_600_000));
        expect(leased).not.toBeNull();
        return { jobId: leased!.job.id, token: leased!.token };
      };
      const infra = { fault: 'infrastructure' as const, code: 'LPCV_E_WORKER_FAILED', message: 'the board went away' };

      // The first job fails for the infrastructure: queued again, it still counts (it will run again).
      const first = await lease();
      expect(await failJob(db, { ...first, ...infra }, at)).toMatchObject({ ok: true, job: { state: 'queued' } });
      expect(await countQuotaUsed(db, subject, quotaWindow(clock))).toBe(5);
      // ... until it is dead after its last attempt: then it no longer counts.
      for (;;) {
        const again = await lease();
        expect(again.jobId).toBe(first.jobId); // the retried job is its team's oldest
        const change = await failJob(db, { ...again, ...infra, backoff: { baseMs: 1, capMs: 1, jitter: 0, random: () => 0 } }, at);
        if (change.ok && change.job.state === 'dead') break;
        expect(change).toMatchObject({ ok: true, job: { state: 'queued' } });
      }
      expect(await countQuotaUsed(db, subject, quotaWindow(clock))).toBe(4);

      // The second fails for the submission's fault: it counts.
      const second = await lease();
      expect(second.jobId).not.toBe(first.jobId);
      const crash = { fault: 'submission' as const, code: 'LPCV_E_MODEL_CRASHED', message: 'the model crashed the inference process' };
      expect(await failJob(db, { ...second, ...crash }, at)).toMatchObject({ ok: true, job: { state: 'failed' } });

      await accept(team, 'fashion-board');
      const { message } = await expectQuotaRefusal(await submit(team, 'fashion-board'));
      expect(message).toContain('5 of 5');
    });

    it('lets only one of several concurrent uploads at quota - 1 through, even when all passed the first check', async () => {
      clock = DAY0 + 6 * DAY + 3_600_000;
      const team = await newTeam();
      for (let i = 0; i < 4; i++) await accept(team, 'fashion-mnist');

      // Three uploads start together; each holds back the end of its form, so that all three have passed
      // the check before the file (each has a temp file in the store) before any of them is recorded.
      const models = [tiny, fixtureBytes('nan-output.onnx'), fixtureBytes('hang.onnx')];
      const uploads = models.map((model) => openUpload(server.url, team.token, 'fashion-mnist', model));
      const deadline = Date.now() + 10_000;
      while (storedFiles().filter((f) => f.startsWith('tmp')).length < models.length) {
        if (Date.now() > deadline) throw new Error(`uploads did not start: ${storedFiles().join(', ')}`);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      // Then all three finish at once: their recording transactions race (on PostgreSQL they run concurrently).
      const answers = await Promise.all(uploads.map((upload) => upload.finish()));
      expect(
        answers.filter((a) => a.status === 201),
        JSON.stringify(answers),
      ).toHaveLength(1);
      expect(
        answers.filter((a) => a.status === 429 && a.code === 'LPCV_E_QUOTA_EXCEEDED'),
        JSON.stringify(answers),
      ).toHaveLength(models.length - 1);

      expect(await db('submissions').where('team_id', team.id).count({ n: '*' })).toEqual([{ n: 5 }]);
      // The losers' artifacts were removed again: the store holds the files of recorded submissions only.
      const referenced = new Set((await db('submissions').pluck('sha256')) as string[]);
      expect(storedFiles().filter((f) => !referenced.has(path.basename(f)))).toEqual([]);
      expect(server.internalErrors).toEqual([]);
    });

    it('refuses a file that is not a model as before, and does not count it', async () => {
      clock = DAY0 + 7 * DAY;
      const team = await newTeam();
      const notes = new TextEncoder().encode('not a model\n');
      for (let i = 0; i < 6; i++) expect((await submit(team, 'two-a-day', notes)).status).toBe(415);
      await accept(team, 'two-a-day');
      await accept(team, 'two-a-day');
      expect(server.internalErrors).toEqual([]);
    });
  });

/** A multipart upload sent in two steps: everything but the form's closing boundary, then the rest. */
function openUpload(url: string, token: string, track: string, model: Uint8Array): { finish(): Promise<{ status: number; code?: string }> } {
  const boundary = `quota${Math.random().toString(36).slice(2)}`;
  const head = Buffer.concat([
    Buffer.from(`--${boundary}\r\ncontent-disposition: form-data; name="track"\r\n\r\n${track}\r\n`),
    Buffer.from(`--${boundary}\r\ncontent-disposition: form-data; name="file"; filename="model.onnx"\r\ncontent-type: application/octet-stream\r\n\r\n`),
    Buffer.from(model),
  ]);
  let req: ClientRequest | undefined;
  const answer = new Promise<{ status: number; code?: string }>((resolve, reject) => {
    req = request(
      `${url}/api/submissions`,
      { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': `multipart/form-data; boundary=${boundary}` } },
      (res: IncomingMessage) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => {
          const body = JSON.parse(text) as Partial<ErrorBody>;
          resolve({ status: res.statusCode ?? 0, ...(body.error ? { code: body.error.code } : {}) });
        });
      },
    );
    req.on('error', reject);
    req.write(head);
  });
  return {
    finish() {
      req!.end(`\r\n--${boundary}--\r\n`);
      return answer;
    },
  };
}
