import { mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { expectOneLineError, ROOT } from '../testing/run-lpcv.js';
import { lpcvWithEnv } from '../testing/spawn-lpcv.js';

const TINY = path.join(ROOT, 'test/fixtures/onnx/tiny-conv.onnx');

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * Answers that the real server never gives but a proxy, an older or a newer server, or a broken network
 * can: `lpcv submit` against a plain HTTP server on 127.0.0.1 that answers what each test says.
 */
describe('lpcv submit and answers that are not the API', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'lpcv-submit-answers-'));
  let server: Server;
  let url: string;
  let handle: Handler = (_req, res) => res.end();
  const seen: string[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      seen.push(`${req.method} ${req.url}`);
      handle(req, res);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterEach(() => void seen.splice(0));
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    rmSync(dir, { recursive: true, force: true });
  });

  const submit = (extra: string[] = [], file = TINY): ReturnType<typeof lpcvWithEnv> =>
    lpcvWithEnv(['submit', file, '--track', 'fashion-mnist', '--server', url, ...extra], { LPCV_TOKEN: 'lpcv_team_test' });

  const json = (res: ServerResponse, status: number, body: unknown): void => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };

  it('an HTML page (a proxy, or not the competition server) is LPCV_E_SERVER_RESPONSE (exit 1)', async () => {
    handle = (req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'text/html' });
        res.end('<html><body>Welcome to nginx!</body></html>');
      });
    };
    const r = await submit();
    expect(r.exitCode).toBe(1);
    expect(expectOneLineError(r)).toMatchObject({
      code: 'LPCV_E_SERVER_RESPONSE',
      message: expect.stringMatching(/HTTP 200 with text\/html.*Welcome to nginx/) as unknown,
    });
    expect(seen).toEqual(['POST /api/submissions']);
  });

  it('an error code this lpcv does not know (a newer server) is LPCV_E_SERVER_RESPONSE keeping the code', async () => {
    handle = (req, res) => {
      req.resume();
      req.on('end', () => json(res, 418, { error: { code: 'LPCV_E_FROM_THE_FUTURE', message: 'submissions need a signature now' } }));
    };
    const r = await submit();
    expect(r.exitCode).toBe(1);
    const e = expectOneLineError(r);
    expect(e.code).toBe('LPCV_E_SERVER_RESPONSE');
    expect(e.message).toContain('LPCV_E_FROM_THE_FUTURE');
    expect(e.message).toContain('submissions need a signature now');
  });

  it('keeps the path of a --server behind a proxy, and sends the form as the API wants it', async () => {
    let body = '';
    let headers: IncomingMessage['headers'] = {};
    handle = (req, res) => {
      headers = req.headers;
      req.setEncoding('latin1');
      req.on('data', (c: string) => (body += c));
      req.on('end', () => json(res, 201, { id: 'AAAAAAAAAAAAAAAA' }));
    };
    const r = await lpcvWithEnv(['submit', TINY, '--track', 'fashion-mnist', '--server', `${url}/lpcv`, '--description', 'première', '--json'], {
      LPCV_TOKEN: 'lpcv_team_test',
    });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ id: 'AAAAAAAAAAAAAAAA' });
    expect(seen).toEqual(['POST /lpcv/api/submissions']);
    expect(headers.authorization).toBe('Bearer lpcv_team_test');
    expect(headers['content-type']).toMatch(/^multipart\/form-data; boundary=/);
    expect(Number(headers['content-length'])).toBe(Buffer.byteLength(body, 'latin1'));
    // track, then description, then file.
    const names = [...body.matchAll(/Content-Disposition: form-data; name="(\w+)"/g)].map((m) => m[1]);
    expect(names).toEqual(['track', 'description', 'file']);
    expect(body).toContain('filename="tiny-conv.onnx"');
    expect(Buffer.from(body, 'latin1').toString('utf8')).toContain('première');
  });

  it('a connection cut mid-upload: the same form with an empty file finds the cause (here: the size)', async () => {
    const big = path.join(dir, 'big.onnx');
    writeFileSync(big, '');
    truncateSync(big, 20_000_000);
    const probes: number[] = [];
    handle = (req, res) => {
      const length = Number(req.headers['content-length']);
      if (length < 10_000) {
        probes.push(length);
        req.resume();
        req.on('end', () => json(res, 422, { error: { code: 'LPCV_E_MODEL_EMPTY', message: 'the upload is empty' } }));
        return;
      }
      // Like a server that stops reading at its limit, minus the answer: cut the connection.
      let read = 0;
      req.on('data', (c: Buffer) => {
        read += c.length;
        if (read > 1_000_000) req.socket.destroy();
      });
    };
    const r = await submit([], big);
    expect(r.exitCode, r.stderr).toBe(5);
    expect(expectOneLineError(r)).toMatchObject({ code: 'LPCV_E_MODEL_TOO_LARGE', message: expect.stringContaining('size limit') as unknown });
    expect(probes).toHaveLength(1);

    // The probe's answer is the cause when it is not just the empty file.
    probes.splice(0);
    const cut = handle;
    handle = (req, res) => {
      if (Number(req.headers['content-length']) >= 10_000) return cut(req, res);
      req.resume();
      json(res, 429, { error: { code: 'LPCV_E_QUOTA_EXCEEDED', message: 'the daily quota for track fashion-mnist is used up' } });
    };
    const q = await submit([], big);
    expect(q.exitCode, q.stderr).toBe(2);
    expect(expectOneLineError(q).code).toBe('LPCV_E_QUOTA_EXCEEDED');
  });

  it('--wait: a failed job with a code this lpcv does not know is LPCV_E_SERVER_RESPONSE naming it', async () => {
    handle = (req, res) => {
      req.resume();
      if (req.method === 'POST') return void req.on('end', () => json(res, 201, { id: 'BBBBBBBBBBBBBBBB' }));
      json(res, 200, {
        id: 'BBBBBBBBBBBBBBBB',
        status: 'failed',
        track: 'fashion-mnist',
        createdAt: 1,
        error: { code: 'LPCV_E_BOARD_ON_FIRE', message: 'the board overheated' },
      });
    };
    const r = await submit(['--wait', '--poll-ms', '50']);
    expect(r.exitCode, r.stderr).toBe(1);
    const lines = r.stderr.trim().split('\n');
    expect(lines.at(-1)).toMatch(/^lpcv: LPCV_E_SERVER_RESPONSE: submission BBBBBBBBBBBBBBBB failed: .*LPCV_E_BOARD_ON_FIRE.*the board overheated$/);
    expect(seen).toEqual(['POST /api/submissions', 'GET /api/submissions/BBBBBBBBBBBBBBBB']);
  });

  it('--wait: a status answer that is not the API is LPCV_E_SERVER_RESPONSE', async () => {
    handle = (req, res) => {
      req.resume();
      if (req.method === 'POST') return void req.on('end', () => json(res, 201, { id: 'CCCCCCCCCCCCCCCC' }));
      json(res, 200, { hello: 'world' });
    };
    const r = await submit(['--wait', '--poll-ms', '50']);
    expect(r.exitCode, r.stderr).toBe(1);
    expect(r.stderr.trim().split('\n').at(-1)).toMatch(/^lpcv: LPCV_E_SERVER_RESPONSE: reading submission CCCCCCCCCCCCCCCC: /);
  });
});
