import { request } from 'node:http';
import { describe, expect, it } from 'vitest';
import { fixtureBytes } from '../../test/testing/onnx-fixtures.js';
import { sqliteTestDatabase } from '../db/testing/databases.js';
import { useTestDatabase } from '../db/testing/suite-hooks.js';
import { completeWithRecord } from '../leaderboard/testing/results.js';
import { failJob, leaseJob } from '../queue/index.js';
import { checkAcceptedUpload } from '../submissions/testing/check-accepted-upload.js';
import { getSubmission, postSubmission, startTestApi, TINY_LIMIT_BYTES, type Part, type TestApi } from './testing/api-server.js';
import { T0, TEST_ADMIN_TOKEN } from './testing/test-server.js';

const tiny = fixtureBytes('tiny-conv.onnx');
const track: Part = { name: 'track', value: 'fashion-mnist' };
const modelFile = (value: Uint8Array = tiny, filename = 'model.onnx'): Part => ({ name: 'file', value, filename });

interface ErrorBody {
  error: { code: string; message: string };
}

async function expectError(res: Response, status: number, code: string): Promise<string> {
  const body = (await res.json()) as ErrorBody;
  expect({ status: res.status, code: body.error?.code }).toEqual({ status, code });
  expect(Object.keys(body)).toEqual(['error']);
  expect(Object.keys(body.error).sort()).toEqual(['code', 'message']);
  return body.error.message;
}

/** A request on a plain socket, for bodies fetch would not send. */
function rawRequest(
  api: TestApi,
  method: string,
  path: string,
  headers: Record<string, string | string[]>,
  body: string | Buffer,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${api.url}${path}`, { method, headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('the submissions API on SQLite', () => {
  const database = sqliteTestDatabase();
  let api: TestApi;
  useTestDatabase(database, {
    setUp: async () => void (api = await startTestApi(database, 'sqlite')),
    tearDown: async () => api?.close(),
  });

  /** What is stored, to check that a refused request stored nothing. */
  async function snapshot(): Promise<{ files: string[]; submissions: number; jobs: number }> {
    const count = async (table: string): Promise<number> => Number(((await api.db(table).count({ n: '*' })) as Array<{ n: number | string }>)[0]!.n);
    return { files: api.storedFiles(), submissions: await count('submissions'), jobs: await count('jobs') };
  }

  async function expectRefusedUpload(parts: readonly Part[], status: number, code: string): Promise<string> {
    const before = await snapshot();
    const message = await expectError(await postSubmission(api, parts, api.teamA.token), status, code);
    expect(await snapshot()).toEqual(before);
    return message;
  }

  it('accepts an upload: 201, the row (file name without its path) and its queued job, GET shows it queued', async () => {
    await checkAcceptedUpload(api);
  });

  it('shows the job state as the status: running while leased, the result when done, the error when failed', async () => {
    const ids: string[] = [];
    for (const description of ['good', 'bad']) {
      const res = await postSubmission(api, [track, { name: 'description', value: description }, modelFile()], api.teamB.token);
      expect(res.status).toBe(201);
      ids.push(((await res.json()) as { id: string }).id);
    }
    const [good, bad] = ids as [string, string];
    const statusOf = async (id: string): Promise<Record<string, unknown>> =>
      (await (await getSubmission(api, id, api.teamB.token)).json()) as Record<string, unknown>;

    // teamA's earlier job is older but the queue alternates teams; lease until both of B's are taken.
    const leases = new Map<string, { jobId: number; token: string }>();
    for (let i = 0; i < 3; i++) {
      const leased = await leaseJob(api.db, { agentId: 'a1', targetKinds: ['desktop'], leaseMs: 60_000 }, T0 + 10_000 + i);
      if (leased) leases.set(leased.job.submissionId, { jobId: leased.job.id, token: leased.token });
    }
    expect(await statusOf(good)).toMatchObject({ id: good, status: 'running' });

    const result = { accuracy: 0.5, note: 'a result record' };
    expect(await completeWithRecord(api.db, leases.get(good)!, result, T0 + 20_000)).toBe(true);
    expect(await statusOf(good)).toMatchObject({ id: good, status: 'done', track: 'fashion-mnist', createdAt: expect.any(Number), result });

    const failure = { fault: 'submission' as const, code: 'LPCV_E_MODEL_CRASHED', message: 'the model crashed the inference process (SIGSEGV)' };
    expect((await failJob(api.db, { ...leases.get(bad)!, ...failure }, T0 + 20_000)).ok).toBe(true);
    expect(await statusOf(bad)).toMatchObject({ status: 'failed', error: { code: failure.code, message: failure.message } });
    expect(await statusOf(bad)).not.toHaveProperty('result');
  });

  it('answers 201 with a Location and a status URL that GET follows, and the page of the submission', async () => {
    const res = await postSubmission(api, [track, modelFile()], api.teamA.token);
    expect(res.status).toBe(201);
    const body = (await res.json()) as { id: string; status: string; page: string };
    expect(body).toEqual({ id: expect.stringMatching(/^[A-Za-z0-9_-]{16}$/), status: `/api/submissions/${body.id}`, page: `/submissions/${body.id}` });
    expect(res.headers.get('location')).toBe(body.status);
    const polled = await fetch(new URL(body.status, api.url), { headers: { authorization: `Bearer ${api.teamA.token}` } });
    expect(polled.status).toBe(200);
    expect(await polled.json()).toMatchObject({ id: body.id, status: 'queued' });
  });

  it('refuses a missing, wrong or agent token with 401 on both routes', async () => {
    const [row] = (await api.db('submissions').where('team_id', api.teamA.id).pluck('id')) as string[];
    const wrong = `lpcv_team_${'A'.repeat(43)}`;
    for (const token of [undefined, wrong, 'not-a-token', api.agent.token]) {
      await expectError(await postSubmission(api, [track, modelFile()], token), 401, 'LPCV_E_UNAUTHORIZED');
      await expectError(await getSubmission(api, row!, token), 401, 'LPCV_E_UNAUTHORIZED');
    }
    const basic = await fetch(`${api.url}/api/submissions/${row}`, { headers: { authorization: `Basic ${Buffer.from('a:b').toString('base64')}` } });
    await expectError(basic, 401, 'LPCV_E_UNAUTHORIZED');
  });

  it('refuses a repeated Authorization header on team, admin and page routes, whichever copy is valid', async () => {
    // Node's req.headers keeps the first Authorization and drops the rest; each copy here is sent as its own
    // header line (an array of values), which fetch would join into one. The agent routes: agent-api.contract.ts.
    const [row] = (await api.db('submissions').where('team_id', api.teamA.id).pluck('id')) as string[];
    const bearer = (t: string): string => `Bearer ${t}`;
    const routes: Array<{ method: string; path: string; token: string; body: string }> = [
      { method: 'GET', path: `/api/submissions/${row}`, token: api.teamA.token, body: '' },
      { method: 'GET', path: '/api/admin/devices', token: TEST_ADMIN_TOKEN, body: '' },
      { method: 'GET', path: '/submissions', token: api.teamA.token, body: '' },
    ];
    for (const { method, path, token, body } of routes) {
      const json: Record<string, string> = body === '' ? {} : { 'content-type': 'application/json' };
      const once = await rawRequest(api, method, path, { ...json, authorization: bearer(token) }, body);
      expect(once.status, `${method} ${path} with the token once`).toBe(200);
      for (const copies of [
        [bearer(token), bearer(token)],
        [bearer(token), bearer(api.teamB.token)],
        [bearer(token), 'Basic YTpi'],
        ['Bearer nonsense', bearer(token)],
        [bearer(token), ''],
      ]) {
        const res = await rawRequest(api, method, path, { ...json, authorization: copies }, body);
        expect(res.status, `${method} ${path} with ${JSON.stringify(copies)}`).toBe(401);
        if (path.startsWith('/api/')) expect((JSON.parse(res.body) as ErrorBody).error.code).toBe('LPCV_E_UNAUTHORIZED');
      }
    }
  });

  it("answers 404 for another team's submission and for ids that do not exist", async () => {
    const [row] = (await api.db('submissions').where('team_id', api.teamA.id).pluck('id')) as string[];
    await expectError(await getSubmission(api, row!, api.teamB.token), 404, 'LPCV_E_SUBMISSION_UNKNOWN');
    await expectError(await getSubmission(api, 'AAAAAAAAAAAAAAAA', api.teamA.token), 404, 'LPCV_E_SUBMISSION_UNKNOWN');
    await expectError(await getSubmission(api, "1' OR '1'='1", api.teamA.token), 404, 'LPCV_E_SUBMISSION_UNKNOWN');
  });

  it('refuses a file that is not a model (415) or does not fit the track (422), storing nothing', async () => {
    const notes = new TextEncoder().encode('these are my notes, not weights\n');
    const message = await expectRefusedUpload([track, modelFile(notes, 'notes.onnx')], 415, 'LPCV_E_MODEL_NOT_ONNX');
    expect(message).toContain('notes.onnx');
    expect(message).not.toContain(api.store.root);
    await expectRefusedUpload([track, modelFile(fixtureBytes('wrong-classes.onnx'))], 422, 'LPCV_E_MODEL_OUTPUT_SHAPE');
    await expectRefusedUpload([track, modelFile(new Uint8Array(0))], 422, 'LPCV_E_MODEL_EMPTY');
  });

  it("refuses an upload over the track's limit with 413, storing nothing", async () => {
    expect(tiny.length).toBeGreaterThan(TINY_LIMIT_BYTES);
    await expectRefusedUpload([{ name: 'track', value: 'tiny-limit' }, modelFile()], 413, 'LPCV_E_MODEL_TOO_LARGE');
  });

  it('stops reading a large upload at the limit, answers 413 and closes the connection, storing nothing', async () => {
    const before = await snapshot();
    const big = new Uint8Array(21_000_000); // fashion-mnist allows 20,000,000 bytes
    big.set(tiny);
    const res = await postSubmission(api, [track, modelFile(big)], api.teamA.token);
    expect(res.headers.get('connection')).toBe('close');
    await expectError(res, 413, 'LPCV_E_MODEL_TOO_LARGE');
    expect(await snapshot()).toEqual(before);
  });

  it('answers before a huge upload has been sent: the server does not read past the limit', async () => {
    const boundary = 'b0undary';
    const head = `--${boundary}\r\ncontent-disposition: form-data; name="track"\r\n\r\nfashion-mnist\r\n--${boundary}\r\ncontent-disposition: form-data; name="file"; filename="huge.onnx"\r\n\r\n`;
    const total = 200_000_000;
    const chunk = Buffer.alloc(1 << 16);
    const outcome = await new Promise<{ status: number; sent: number; code: string }>((resolve, reject) => {
      let sent = 0;
      let answered = false;
      const req = request(
        `${api.url}/api/submissions`,
        {
          method: 'POST',
          headers: { authorization: `Bearer ${api.teamA.token}`, 'content-type': `multipart/form-data; boundary=${boundary}`, 'content-length': String(total) },
        },
        (res) => {
          answered = true;
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => (text += c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, sent, code: (JSON.parse(text) as ErrorBody).error.code }));
        },
      );
      // The server closes the connection after its answer: writing on is refused, which is expected.
      req.on('error', (e) => (answered ? undefined : reject(e)));
      req.write(head);
      sent += head.length;
      const pump = (): void => {
        while (!answered && sent < total) {
          sent += chunk.length;
          if (!req.write(chunk)) return void req.once('drain', pump);
        }
      };
      pump();
    });
    expect(outcome).toMatchObject({ status: 413, code: 'LPCV_E_MODEL_TOO_LARGE' });
    expect(outcome.sent).toBeLessThan(total / 2);
    expect(api.storedFiles().filter((f) => f.startsWith('tmp'))).toEqual([]);
  });

  it('takes the description after the file too', async () => {
    const res = await postSubmission(api, [track, modelFile(tiny, 'late.onnx'), { name: 'description', value: 'sent last' }], api.teamA.token);
    expect(res.status).toBe(201);
    const { id } = (await res.json()) as { id: string };
    expect(await api.db('submissions').where('id', id).first('description', 'filename')).toEqual({ description: 'sent last', filename: 'late.onnx' });
  });

  it('refuses wrong forms with 400 and a code that says what is wrong, storing nothing', async () => {
    await expectRefusedUpload([track], 400, 'LPCV_E_FORM_FIELD');
    await expectRefusedUpload([], 400, 'LPCV_E_FORM_FIELD');
    await expectRefusedUpload([track, { name: 'model', value: tiny, filename: 'm.onnx' }], 400, 'LPCV_E_FORM_FIELD');
    await expectRefusedUpload([track, { name: 'notes', value: 'x' }, modelFile()], 400, 'LPCV_E_FORM_FIELD');
    await expectRefusedUpload([track, track, modelFile()], 400, 'LPCV_E_FORM_FIELD');
    await expectRefusedUpload([track, modelFile(), modelFile()], 400, 'LPCV_E_FORM_FIELD');
    await expectRefusedUpload([track, modelFile(), { name: 'notes', value: 'after the file' }], 400, 'LPCV_E_FORM_FIELD');
    await expectRefusedUpload([track, { name: 'description', value: 'é'.repeat(3000) }, modelFile()], 400, 'LPCV_E_FORM_FIELD');
    const order = await expectRefusedUpload([modelFile(), track], 400, 'LPCV_E_FORM_ORDER');
    expect(order).toMatch(/track/);
    await expectRefusedUpload([{ name: 'track', value: 'imagenet-9000' }, modelFile()], 404, 'LPCV_E_TRACK_UNKNOWN');
    await expectRefusedUpload([{ name: 'track', value: '../../tracks/fashion-mnist/track.json' }, modelFile()], 404, 'LPCV_E_TRACK_UNKNOWN');
  });

  it('refuses bodies that are not a well-formed form: JSON, broken multipart, no boundary', async () => {
    const auth = { authorization: `Bearer ${api.teamA.token}` };
    const json = await rawRequest(api, 'POST', '/api/submissions', { ...auth, 'content-type': 'application/json' }, '{"track": "fashion-mnist"}');
    expect(json.status).toBe(400);
    expect((JSON.parse(json.body) as ErrorBody).error.code).toBe('LPCV_E_BAD_REQUEST');

    const boundary = 'XyZ';
    const cut = `--${boundary}\r\ncontent-disposition: form-data; name="track"\r\n\r\nfashion-mnist\r\n--${boundary}\r\ncontent-disposition: form-data; name="file"; filename="m.onnx"\r\n\r\n\x08\x07`;
    const broken = await rawRequest(api, 'POST', '/api/submissions', { ...auth, 'content-type': `multipart/form-data; boundary=${boundary}` }, cut);
    expect(broken.status).toBe(400);
    expect((JSON.parse(broken.body) as ErrorBody).error.code).toBe('LPCV_E_BAD_REQUEST');

    const noBoundary = await rawRequest(api, 'POST', '/api/submissions', { ...auth, 'content-type': 'multipart/form-data' }, 'x');
    expect(noBoundary.status).toBe(400);
    expect((JSON.parse(noBoundary.body) as ErrorBody).error.code).toBe('LPCV_E_BAD_REQUEST');
    expect(api.storedFiles().filter((f) => f.startsWith('tmp'))).toEqual([]);
  });

  it('answers a malformed JSON body with 400, a giant one with 413, an unknown route with 404, all as JSON', async () => {
    const headers = { 'content-type': 'application/json' };
    const malformed = await rawRequest(api, 'POST', '/api/nowhere', headers, '{"lease": ');
    expect(malformed.status).toBe(400);
    expect(JSON.parse(malformed.body)).toEqual({ error: { code: 'LPCV_E_BAD_REQUEST', message: 'the body is not valid JSON' } });
    const giant = await rawRequest(api, 'POST', '/api/nowhere', headers, JSON.stringify({ pad: 'x'.repeat(1_000_000) }));
    expect(giant.status).toBe(413);
    expect((JSON.parse(giant.body) as ErrorBody).error.code).toBe('LPCV_E_BODY_TOO_LARGE');
    await expectError(await fetch(`${api.url}/api/nowhere`), 404, 'LPCV_E_ROUTE_UNKNOWN');
  });

  it('is still up after all that: a good upload succeeds and nothing unexpected was logged', async () => {
    const res = await postSubmission(api, [track, modelFile(tiny, 'again.onnx')], api.teamA.token);
    expect(res.status).toBe(201);
    expect(api.internalErrors).toEqual([]);
    expect(api.storedFiles().filter((f) => f.startsWith('tmp'))).toEqual([]);
  });
});
