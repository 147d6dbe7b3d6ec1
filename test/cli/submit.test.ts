import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ResultRecord } from '../../harness/result-record.js';
import { createTeam, type CreatedOwner } from '../../server/auth/index.js';
import { startServe } from '../../cli/start-serve.js';
import type { RunningServer } from '../../server/serve/start-server.js';
import { expectOneLineError, ROOT } from '../testing/run-lpcv.js';
import { lpcvWithEnv, unusedPort } from '../testing/spawn-lpcv.js';

const TINY = path.join(ROOT, 'test/fixtures/onnx/tiny-conv.onnx');
const NAN = path.join(ROOT, 'test/fixtures/onnx/nan-output.onnx');

/** `lpcv submit` as a child process against a real server (SQLite in a temp folder, the in-process agent). */
describe('lpcv submit against a running server', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'lpcv-submit-'));
  const log: string[] = [];
  let server: RunningServer;
  let team: CreatedOwner;
  let tokenFile: string;

  beforeAll(async () => {
    server = await startServe({
      port: 0,
      dataDir: path.join(dir, 'data'),
      localAgent: true,
      seedBaselines: false,
      log: (l) => log.push(l),
      env: {},
      agentPollMs: 200,
    });
    team = await createTeam(server.db, 'submit-team', Date.now());
    tokenFile = path.join(dir, 'team.token');
    writeFileSync(tokenFile, `${team.token}\n`, { mode: 0o600 });
  });
  afterAll(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const submissionCount = async (): Promise<number> => Number(((await server.db('submissions').count({ n: '*' })) as Array<{ n: number | string }>)[0]!.n);

  it('--wait --json: uploads, waits until the local agent has scored it, prints the result record', async () => {
    const r = await lpcvWithEnv(
      ['submit', TINY, '--track', 'fashion-mnist', '--server', server.url, '--description', 'first try', '--wait', '--json', '--poll-ms', '200'],
      { LPCV_TOKEN: team.token },
    );
    expect(r.exitCode, `${r.stderr}\nserver log:\n${log.join('\n')}`).toBe(0);
    const record = JSON.parse(r.stdout) as ResultRecord;
    expect(record).toMatchObject({
      track: 'fashion-mnist',
      split: 'test',
      target: { kind: 'desktop' },
      model: { format: 'onnx', bytes: readFileSync(TINY).length },
    });
    expect(record.model.sha256).toBe(createHash('sha256').update(readFileSync(TINY)).digest('hex'));
    expect(record.latency.count).toBeGreaterThanOrEqual(1);
    const id = /submission (\S+): done/.exec(r.stderr)?.[1];
    expect(id, r.stderr).toBeDefined();
    // The status changes were shown on stderr, in order, ending with done.
    const states = [...r.stderr.matchAll(/submission \S+: (\w+)$/gm)].map((m) => m[1]);
    expect(states.at(-1)).toBe('done');
    const row = (await server.db('submissions').where('id', id!).first('description', 'filename', 'track')) as {
      description: string;
      filename: string;
      track: string;
    };
    expect(row).toEqual({ description: 'first try', filename: 'tiny-conv.onnx', track: 'fashion-mnist' });
  }, 150_000);

  it('--wait: a submission that fails exits with its error code (NaN outputs: exit 6) and names the submission', async () => {
    const r = await lpcvWithEnv(['submit', NAN, '--track', 'fashion-mnist', '--server', server.url, '--token-file', tokenFile, '--wait', '--poll-ms', '200']);
    expect(r.exitCode, r.stderr).toBe(6);
    const lines = r.stderr.trim().split('\n');
    const m = /^lpcv: LPCV_E_MODEL_OUTPUT_NAN: submission (\S+) failed: .*NaN/.exec(lines.at(-1)!);
    expect(m, r.stderr).not.toBeNull();
    expect(r.stderr).toContain(`submission ${m![1]}: failed`);
    expect(r.stdout).toBe('');
  }, 150_000);

  it('without --wait prints the id on stdout (and {id} with --json); the server has it', async () => {
    const r = await lpcvWithEnv(['submit', TINY, '--track', 'fashion-mnist', '--server', server.url, '--token', team.token]);
    expect(r.exitCode, r.stderr).toBe(0);
    const id = r.stdout.trim();
    expect(id).toMatch(/^[A-Za-z0-9_-]{16}$/);
    const res = await fetch(`${server.url}/api/submissions/${id}`, { headers: { authorization: `Bearer ${team.token}` } });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ id, track: 'fashion-mnist' });

    const j = await lpcvWithEnv(['submit', TINY, '--track', 'fashion-mnist', '--server', `${server.url}/`, '--json'], { LPCV_TOKEN: team.token });
    expect(j.exitCode, j.stderr).toBe(0);
    expect(JSON.parse(j.stdout)).toEqual({ id: expect.stringMatching(/^[A-Za-z0-9_-]{16}$/) });
  });

  it('a bad token is LPCV_E_UNAUTHORIZED (exit 2) and stores nothing', async () => {
    const before = await submissionCount();
    const r = await lpcvWithEnv(['submit', TINY, '--track', 'fashion-mnist', '--server', server.url, '--json'], { LPCV_TOKEN: 'lpcv_team_not-a-real-token' });
    expect(r.exitCode).toBe(2);
    expect(expectOneLineError(r).code).toBe('LPCV_E_UNAUTHORIZED');
    expect(JSON.parse(r.stdout)).toMatchObject({ error: { code: 'LPCV_E_UNAUTHORIZED', fault: 'usage' } });
    expect(await submissionCount()).toBe(before);
  });

  it('a token named on the command line (--token-file) wins over LPCV_TOKEN', async () => {
    // The bad environment token would be a 401; the file's token gets as far as judging the file.
    const r = await lpcvWithEnv(['submit', path.join(ROOT, 'README.md'), '--track', 'fashion-mnist', '--server', server.url, '--token-file', tokenFile], {
      LPCV_TOKEN: 'lpcv_team_wrong',
    });
    expect(r.exitCode).toBe(5);
    expect(expectOneLineError(r).code).toBe('LPCV_E_MODEL_NOT_ONNX');
  });

  it('an unknown track is LPCV_E_TRACK_UNKNOWN (exit 3)', async () => {
    const r = await lpcvWithEnv(['submit', TINY, '--track', 'no-such-track', '--server', server.url], { LPCV_TOKEN: team.token });
    expect(r.exitCode).toBe(3);
    const e = expectOneLineError(r);
    expect(e.code).toBe('LPCV_E_TRACK_UNKNOWN');
    expect(e.message).toContain('no-such-track');
  });

  it('a file that is not a model is refused by the server with its code (exit 5)', async () => {
    const r = await lpcvWithEnv(['submit', path.join(ROOT, 'README.md'), '--track', 'fashion-mnist', '--server', server.url], { LPCV_TOKEN: team.token });
    expect(r.exitCode).toBe(5);
    expect(expectOneLineError(r)).toMatchObject({ code: 'LPCV_E_MODEL_NOT_ONNX', message: expect.stringContaining('README.md') as unknown });
  });

  it('a big file the server stops reading (over the size limit, or a bad track) still gets the right code', async () => {
    // 30 MB, over fashion-mnist's 20 MB: the server answers and closes the connection part-way.
    const big = path.join(dir, 'big.onnx');
    writeFileSync(big, '');
    truncateSync(big, 30_000_000);
    const before = await submissionCount();
    const tooLarge = await lpcvWithEnv(['submit', big, '--track', 'fashion-mnist', '--server', server.url], { LPCV_TOKEN: team.token });
    expect(tooLarge.exitCode, tooLarge.stderr).toBe(5);
    expect(expectOneLineError(tooLarge).code).toBe('LPCV_E_MODEL_TOO_LARGE');
    const badTrack = await lpcvWithEnv(['submit', big, '--track', 'no-such-track', '--server', server.url], { LPCV_TOKEN: team.token });
    expect(badTrack.exitCode, badTrack.stderr).toBe(3);
    expect(expectOneLineError(badTrack).code).toBe('LPCV_E_TRACK_UNKNOWN');
    const badToken = await lpcvWithEnv(['submit', big, '--track', 'fashion-mnist', '--server', server.url], { LPCV_TOKEN: 'lpcv_team_nope' });
    expect(badToken.exitCode, badToken.stderr).toBe(2);
    expect(expectOneLineError(badToken).code).toBe('LPCV_E_UNAUTHORIZED');
    expect(await submissionCount()).toBe(before);
  });
});

describe('lpcv submit before or without a server', () => {
  it('a server that does not listen is LPCV_E_SERVER_UNREACHABLE (exit 1)', async () => {
    const port = await unusedPort();
    const r = await lpcvWithEnv(['submit', TINY, '--track', 'fashion-mnist', '--server', `http://127.0.0.1:${port}`], { LPCV_TOKEN: 'lpcv_team_x' });
    expect(r.exitCode).toBe(1);
    expect(expectOneLineError(r)).toMatchObject({ code: 'LPCV_E_SERVER_UNREACHABLE', message: expect.stringContaining(`127.0.0.1:${port}`) as unknown });
  });

  it('a missing file is LPCV_E_FILE_NOT_FOUND before any request (not "unreachable")', async () => {
    const port = await unusedPort();
    const r = await lpcvWithEnv(['submit', 'no/such/model.onnx', '--track', 'fashion-mnist', '--server', `http://127.0.0.1:${port}`], {
      LPCV_TOKEN: 'lpcv_team_x',
    });
    expect(r.exitCode).toBe(2);
    expect(expectOneLineError(r)).toEqual({ code: 'LPCV_E_FILE_NOT_FOUND', message: 'model file not found: no/such/model.onnx' });
  });

  it('a bad --server URL, no token at all, or a missing token file are caught before any request', async () => {
    for (const server of ['not a url', 'ftp://example.org', 'http://user:pw@127.0.0.1:1']) {
      const r = await lpcvWithEnv(['submit', TINY, '--track', 'fashion-mnist', '--server', server], { LPCV_TOKEN: 'lpcv_team_x' });
      expect(r.exitCode, server).toBe(2);
      expect(expectOneLineError(r).code, server).toBe('LPCV_E_USAGE');
    }
    const none = await lpcvWithEnv(['submit', TINY, '--track', 'fashion-mnist', '--server', 'http://127.0.0.1:1']);
    expect(none.exitCode).toBe(2);
    expect(expectOneLineError(none)).toMatchObject({ code: 'LPCV_E_USAGE', message: expect.stringContaining('LPCV_TOKEN') as unknown });
    const noFile = await lpcvWithEnv(['submit', TINY, '--track', 'fashion-mnist', '--server', 'http://127.0.0.1:1', '--token-file', '/no/such/token']);
    expect(noFile.exitCode).toBe(2);
    expect(expectOneLineError(noFile).code).toBe('LPCV_E_FILE_NOT_FOUND');
  });
});
