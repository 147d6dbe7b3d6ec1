import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAgent } from '../auth/index.js';
import { startServer, type RunningServer } from '../serve/start-server.js';

const T0 = 1_800_000_000_000;

/** The wiring: `lpcv serve`'s reaper loop runs the device sweep with the server's clock (here the test's). */
describe('the device sweep in the reaper loop of startServer', () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'lpcv-serve-devices-'));
  let clock = T0;
  const waiting: Array<{ pattern: RegExp; resolve: (line: string) => void }> = [];
  const lines: string[] = [];
  const log = (line: string): void => {
    lines.push(line);
    for (const w of waiting.splice(0)) {
      if (w.pattern.test(line)) w.resolve(line);
      else waiting.push(w);
    }
  };
  /** Resolves with the first log line from now on that matches: an event, not a sleep. */
  const nextLog = (pattern: RegExp): Promise<string> => new Promise((resolve) => waiting.push({ pattern, resolve }));
  let server: RunningServer;

  beforeAll(async () => {
    server = await startServer({
      port: 0,
      dataDir,
      seedBaselines: false,
      log,
      env: {},
      now: () => clock,
      reapEveryMs: 50,
      deviceHealth: { offlineAfterMs: 30_000 },
    });
  });
  afterAll(async () => {
    await server?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('marks a silent device offline once the clock passes its silence, and a registration brings it back', async () => {
    const agent = await createAgent(server.db, 'sweep-agent', T0);
    const register = async (): Promise<number> => {
      const res = await fetch(`${server.url}/api/agent/devices`, {
        method: 'POST',
        headers: { authorization: `Bearer ${agent.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'bench-1', kind: 'desktop' }),
      });
      expect(res.status).toBe(200);
      return ((await res.json()) as { deviceId: number }).deviceId;
    };
    const id = await register();
    const offline = nextLog(new RegExp(`device ${id} \\(bench-1\\) is offline: not heard from for 30000 ms`));
    clock = T0 + 30_001;
    expect(await offline).toContain('bench-1');
    expect(((await server.db('devices').where('id', id).first('state')) as { state: string }).state).toBe('offline');
    await register();
    expect((await server.db('devices').where('id', id).first('state', 'last_seen_at')) as { state: string; last_seen_at: number }).toEqual({
      state: 'idle',
      last_seen_at: clock,
    });
  });
});
