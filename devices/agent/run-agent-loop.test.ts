import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { LpcvError } from '../../errors/lpcv-error.js';
import type { Measurement } from '../../harness/measurement.js';
import { OnnxTarget } from '../desktop/onnx-target.js';
import type { TargetRun } from '../targets/target.js';
import { runAgentLoop } from './run-agent-loop.js';

interface Seen {
  method: string;
  url: string;
  body: Record<string, unknown>;
}

type Handler = (req: Seen, res: ServerResponse) => void;

/** A stand-in for the server's agent API on 127.0.0.1: records each request, answers with `handle`. */
function fakeServer(port: number, handle: Handler): Promise<{ server: Server; seen: Seen[] }> {
  const seen: Seen[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let text = '';
    req.on('data', (c: Buffer) => (text += c.toString('utf8')));
    req.on('end', () => {
      const s = { method: req.method ?? '', url: req.url ?? '', body: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>) };
      seen.push(s);
      handle(s, res);
    });
  });
  return new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve({ server, seen })));
}

function json(res: ServerResponse, status: number, body?: unknown): void {
  res.writeHead(status, body === undefined ? {} : { 'content-type': 'application/json' });
  res.end(body === undefined ? undefined : JSON.stringify(body));
}

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

const LEASE = {
  job: { id: 7, submissionId: 's1', track: 'fashion-mnist', split: 'test', leaseToken: 'tok', leaseExpiresAt: Date.now() + 60_000, attempt: 1 },
  track: {},
  artifact: { url: `/api/artifacts/${'a'.repeat(64)}`, sha256: 'a'.repeat(64), bytes: 1, format: 'onnx' },
  inputs: { url: '/api/inputs/fashion-mnist/test', sha256: 'b'.repeat(64), bytes: 1, count: 1 },
};

const MEASUREMENT: Measurement = {
  predictions: { kind: 'topk', ids: ['0'], topk: [[1, 2, 3, 4, 5]] },
  runtime: 'stand-in 1.0',
  threads: 1,
  protocol: { warmupRuns: 0, minRuns: 1, minDurationMs: 0, maxRuns: 1 },
  latencyMs: [1],
  warmupMs: [],
  preprocessMs: [0.1],
};

const RUN: TargetRun = {
  measurement: MEASUREMENT,
  target: { kind: 'desktop', device: 'desk', runtime: 'stand-in 1.0', threads: 1, os: 'linux', cpu: 'test' },
  energy: null,
  energyNote: 'the stand-in has no power sensor',
};

/** Answers devices and lease; the lease hands out LEASE once, then 204. */
function leaseOnce(extra: Handler = (_s, res) => json(res, 200, {})): Handler {
  let given = false;
  return (s, res) => {
    if (s.url === '/api/agent/devices') return json(res, 200, { deviceId: 3, name: 'd', kind: 'desktop' });
    if (s.url === '/api/agent/lease') {
      if (given) return json(res, 204);
      given = true;
      return json(res, 200, LEASE);
    }
    extra(s, res);
  };
}

async function until(check: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('runAgentLoop', () => {
  const cacheDir = mkdtempSync(path.join(tmpdir(), 'lpcv-agent-loop-'));
  const servers: Server[] = [];
  afterEach(async () => {
    for (const s of servers.splice(0)) {
      s.closeAllConnections();
      await new Promise<void>((r) => s.close(() => r()));
    }
  });
  afterAll(() => rmSync(cacheDir, { recursive: true, force: true }));

  const base = (port: number, stop: AbortController, lines: string[]) => ({
    serverUrl: `http://127.0.0.1:${port}`,
    token: 'lpcv_agent_x',
    device: new OnnxTarget({ name: 'desk' }),
    cacheDir,
    signal: stop.signal,
    log: (l: string) => lines.push(l),
    pollMs: 20,
    retryBaseMs: 20,
    retryMaxMs: 100,
  });

  it('waits with backoff while the server is away, then registers and leases once it is up', async () => {
    const port = await freePort();
    const stop = new AbortController();
    const lines: string[] = [];
    const loop = runAgentLoop(base(port, stop, lines));
    await until(() => lines.filter((l) => l.includes('retrying in')).length >= 3);
    const { server, seen } = await fakeServer(port, leaseOnce());
    servers.push(server);
    await until(() => seen.filter((s) => s.url === '/api/agent/lease').length >= 2);
    stop.abort();
    await loop;
    expect(seen[0]).toMatchObject({ url: '/api/agent/devices', body: { name: 'desk', kind: 'desktop' } });
    expect(seen.find((s) => s.url === '/api/agent/lease')?.body).toMatchObject({ deviceId: 3 });
    expect(lines.some((l) => l.includes('the server is back'))).toBe(true);
    // Retries are capped.
    const waits = lines.flatMap((l) => /retrying in (\d+) ms/.exec(l)?.[1] ?? []).map(Number);
    expect(Math.max(...waits)).toBeLessThanOrEqual(100);
  });

  it("fails a job for the submission when the run throws a submission's error, and completes a measured one", async () => {
    const port = await freePort();
    const { server, seen } = await fakeServer(port, leaseOnce());
    servers.push(server);
    const stop = new AbortController();
    const loop = runAgentLoop({ ...base(port, stop, []), measure: () => Promise.reject(new LpcvError('LPCV_E_MODEL_OUTPUT_NAN', 'NaN on image 3')) });
    await until(() => seen.some((s) => s.url === '/api/agent/jobs/7/fail'));
    stop.abort();
    await loop;
    expect(seen.find((s) => s.url === '/api/agent/jobs/7/fail')?.body).toEqual({
      leaseToken: 'tok',
      fault: 'submission',
      code: 'LPCV_E_MODEL_OUTPUT_NAN',
      message: 'NaN on image 3',
    });

    const again = await fakeServer(await freePort(), leaseOnce());
    servers.push(again.server);
    const stop2 = new AbortController();
    const port2 = (again.server.address() as AddressInfo).port;
    const loop2 = runAgentLoop({ ...base(port2, stop2, []), measure: () => Promise.resolve(RUN) });
    await until(() => again.seen.some((s) => s.url === '/api/agent/jobs/7/complete'));
    stop2.abort();
    await loop2;
    const body = again.seen.find((s) => s.url === '/api/agent/jobs/7/complete')!.body;
    expect(body).toMatchObject({
      leaseToken: 'tok',
      energy: null,
      target: { kind: 'desktop' },
      measurement: { predictions: { kind: 'topk', ids: ['0'] }, latencyMs: [1] },
    });
    expect(typeof body.energyNote).toBe('string');
  });

  it('fails other errors as infrastructure', async () => {
    const port = await freePort();
    const { server, seen } = await fakeServer(port, leaseOnce());
    servers.push(server);
    const stop = new AbortController();
    const loop = runAgentLoop({ ...base(port, stop, []), measure: () => Promise.reject(new Error('disk full')) });
    await until(() => seen.some((s) => s.url === '/api/agent/jobs/7/fail'));
    stop.abort();
    await loop;
    expect(seen.find((s) => s.url === '/api/agent/jobs/7/fail')?.body).toMatchObject({
      fault: 'infrastructure',
      code: 'LPCV_E_INTERNAL',
      message: 'disk full',
    });
  });

  it('abandons the run when a heartbeat answers 409, reporting nothing', async () => {
    const port = await freePort();
    const { server, seen } = await fakeServer(
      port,
      leaseOnce((s, res) => (s.url.endsWith('/heartbeat') ? json(res, 409, { error: { code: 'LPCV_E_LEASE_LOST', message: 'lost' } }) : json(res, 200, {}))),
    );
    servers.push(server);
    const stop = new AbortController();
    const lines: string[] = [];
    const loop = runAgentLoop({ ...base(port, stop, lines), leaseMs: 1_000, measure: () => new Promise<TargetRun>(() => {}) });
    await until(() => lines.some((l) => l.includes('lease was lost')));
    await until(() => seen.filter((s) => s.url === '/api/agent/lease').length >= 2);
    stop.abort();
    await loop;
    expect(seen.some((s) => s.url.endsWith('/complete') || s.url.endsWith('/fail'))).toBe(false);
  });

  it('on stop, gives a job that outlasts the grace period back as infrastructure', async () => {
    const port = await freePort();
    const { server, seen } = await fakeServer(port, leaseOnce());
    servers.push(server);
    const stop = new AbortController();
    const loop = runAgentLoop({ ...base(port, stop, []), graceMs: 50, measure: () => new Promise<TargetRun>(() => {}) });
    await until(() => seen.some((s) => s.url === '/api/agent/lease'));
    stop.abort();
    await loop;
    expect(seen.find((s) => s.url === '/api/agent/jobs/7/fail')?.body).toMatchObject({ fault: 'infrastructure', code: 'LPCV_E_LEASE_EXPIRED' });
    expect(seen.filter((s) => s.url === '/api/agent/lease')).toHaveLength(1);
  });

  it('reports progress with heartbeats, sooner than the lease needs but not more often than asked', async () => {
    const port = await freePort();
    const { server, seen } = await fakeServer(port, leaseOnce());
    servers.push(server);
    const stop = new AbortController();
    const measure = async (
      _c: unknown,
      _l: unknown,
      _d: unknown,
      _log: unknown,
      _s: unknown,
      onProgress: (p: { phase: string; fraction: number; done?: number; total?: number }) => void,
    ): Promise<TargetRun> => {
      for (let i = 1; i <= 40; i++) {
        onProgress({ phase: 'accuracy', fraction: i / 40, done: i * 200, total: 8000 });
        await new Promise((r) => setTimeout(r, 10));
      }
      onProgress({ phase: 'latency', fraction: 0.5 });
      await new Promise((r) => setTimeout(r, 150));
      return RUN;
    };
    // A 60 s lease alone would heartbeat every 20 s: only progress makes these heartbeats.
    const loop = runAgentLoop({ ...base(port, stop, []), leaseMs: 60_000, progressEveryMs: 100, measure });
    await until(() => seen.some((s) => s.url === '/api/agent/jobs/7/complete'));
    stop.abort();
    await loop;
    const beats = seen.filter((s) => s.url === '/api/agent/jobs/7/heartbeat');
    expect(beats.length).toBeGreaterThanOrEqual(2);
    // Not one heartbeat per update: updates coalesce while one waits to go out (how many go out depends on
    // the machine's speed, so only the bound is checked here).
    expect(beats.length).toBeLessThan(41);
    for (const b of beats) expect(b.body).toMatchObject({ leaseToken: 'tok', progress: { phase: expect.stringMatching(/^(accuracy|latency)$/) } });
    expect(beats.some((b) => (b.body.progress as { phase: string }).phase === 'latency')).toBe(true);
  });

  it('heartbeats without progress from then on when the server refuses the progress key', async () => {
    const port = await freePort();
    const { server, seen } = await fakeServer(
      port,
      leaseOnce((s, res) => {
        if (s.url.endsWith('/heartbeat') && 'progress' in s.body)
          return json(res, 400, { error: { code: 'LPCV_E_AGENT_REQUEST', message: 'the request body is invalid: (body): Unrecognized key: "progress"' } });
        json(res, 200, { leaseExpiresAt: Date.now() + 60_000 });
      }),
    );
    servers.push(server);
    const stop = new AbortController();
    const lines: string[] = [];
    const measure = async (
      _c: unknown,
      _l: unknown,
      _d: unknown,
      _log: unknown,
      _s: unknown,
      onProgress: (p: { phase: string; fraction: number }) => void,
    ): Promise<TargetRun> => {
      for (let i = 1; i <= 30; i++) {
        onProgress({ phase: 'accuracy', fraction: i / 30 });
        await new Promise((r) => setTimeout(r, 20));
      }
      return RUN;
    };
    const loop = runAgentLoop({ ...base(port, stop, lines), leaseMs: 60_000, progressEveryMs: 50, measure });
    await until(() => seen.some((s) => s.url === '/api/agent/jobs/7/complete'));
    stop.abort();
    await loop;
    const beats = seen.filter((s) => s.url === '/api/agent/jobs/7/heartbeat');
    expect(beats.filter((b) => 'progress' in b.body)).toHaveLength(1);
    expect(beats.filter((b) => !('progress' in b.body)).length).toBeGreaterThanOrEqual(1);
    expect(lines.some((l) => l.includes('does not take progress reports'))).toBe(true);
  });

  it('says once that its device is drained, asks less often, and waits out a device the server still counts busy', async () => {
    const port = await freePort();
    let leases = 0;
    const { server, seen } = await fakeServer(port, (s, res) => {
      if (s.url === '/api/agent/devices') return json(res, 200, { deviceId: 3, name: 'd', kind: 'desktop' });
      if (s.url === '/api/agent/lease') {
        leases += 1;
        if (leases === 1) return json(res, 409, { error: { code: 'LPCV_E_DEVICE_BUSY', message: 'device 3 still holds job 9' } });
        res.writeHead(204, { 'lpcv-device-state': leases <= 4 ? 'draining' : 'idle' });
        return res.end();
      }
      json(res, 404, {});
    });
    servers.push(server);
    const stop = new AbortController();
    const lines: string[] = [];
    const loop = runAgentLoop(base(port, stop, lines));
    await until(() => leases >= 6, 30_000);
    stop.abort();
    await loop;
    expect(lines.filter((l) => l.includes('is drained by an admin'))).toHaveLength(1);
    expect(lines.filter((l) => l.includes('is no longer drained'))).toHaveLength(1);
    expect(lines.some((l) => l.includes('device 3 still holds job 9; waiting for the server to reclaim that lease'))).toBe(true);
    // The busy answer is not an error to back off from: the device stays registered.
    expect(seen.filter((x) => x.url === '/api/agent/devices')).toHaveLength(1);
  });

  it('leases the next job as soon as one ends, never waiting out the poll period between jobs', async () => {
    const port = await freePort();
    const given: number[] = [];
    const { server, seen } = await fakeServer(port, (s, res) => {
      if (s.url === '/api/agent/devices') return json(res, 200, { deviceId: 3, name: 'd', kind: 'desktop' });
      if (s.url === '/api/agent/lease') {
        if (given.length === 3) return json(res, 204);
        const id = 7 + given.length;
        given.push(id);
        return json(res, 200, { ...LEASE, job: { ...LEASE.job, id, leaseExpiresAt: Date.now() + 60_000 } });
      }
      json(res, 200, {});
    });
    servers.push(server);
    const stop = new AbortController();
    // A poll period no test outlives: a wait after a finished job would leave jobs 8 and 9 unleased.
    const loop = runAgentLoop({ ...base(port, stop, []), pollMs: 3_600_000, measure: () => Promise.resolve(RUN) });
    await until(() => seen.filter((x) => x.url.endsWith('/complete')).length === 3, 4_000);
    await until(() => seen.filter((x) => x.url === '/api/agent/lease').length === 4, 4_000);
    stop.abort();
    await loop;
    const order = seen.filter((x) => x.url === '/api/agent/lease' || x.url.endsWith('/complete')).map((x) => x.url);
    expect(order).toEqual([
      '/api/agent/lease',
      '/api/agent/jobs/7/complete',
      '/api/agent/lease',
      '/api/agent/jobs/8/complete',
      '/api/agent/lease',
      '/api/agent/jobs/9/complete',
      '/api/agent/lease',
    ]);
  });
});
