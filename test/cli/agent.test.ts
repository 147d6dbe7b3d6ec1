import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ResultRecord } from '../../harness/result-record.js';
import { createAgent, createTeam, type CreatedOwner } from '../../server/auth/index.js';
import { startServer, type RunningServer } from '../../server/serve/start-server.js';
import { expectOneLineError, ROOT } from '../testing/run-lpcv.js';
import { lpcvWithEnv, spawnLpcv } from '../testing/spawn-lpcv.js';

const TINY = path.join(ROOT, 'test/fixtures/onnx/tiny-conv.onnx');

/** `lpcv agent` as a child process, the only agent of a real server (started without its local agent). */
describe('lpcv agent against a running server', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'lpcv-agent-'));
  const log: string[] = [];
  let server: RunningServer;
  let team: CreatedOwner;
  let agent: CreatedOwner;

  beforeAll(async () => {
    server = await startServer({ port: 0, dataDir: path.join(dir, 'data'), seedBaselines: false, log: (l) => log.push(l), env: {} });
    team = await createTeam(server.db, 'agent-test-team', Date.now());
    agent = await createAgent(server.db, 'agent-test-agent', Date.now());
  });
  afterAll(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('registers its device, completes a submission, and exits 0 on SIGTERM', async () => {
    const cacheDir = path.join(dir, 'cache');
    const child = spawnLpcv(['agent', '--server', server.url, '--name', 'test-desktop', '--cache-dir', cacheDir, '--poll-ms', '200'], {
      LPCV_AGENT_TOKEN: agent.token,
    });
    try {
      const r = await lpcvWithEnv(['submit', TINY, '--track', 'fashion-mnist', '--server', server.url, '--wait', '--json', '--poll-ms', '200'], {
        LPCV_TOKEN: team.token,
      });
      expect(r.exitCode, `${r.stderr}\nserver log:\n${log.join('\n')}`).toBe(0);
      const record = JSON.parse(r.stdout) as ResultRecord;
      expect(record).toMatchObject({ track: 'fashion-mnist', target: { kind: 'desktop' } });
      const devices = (await server.db('devices').select('name', 'kind', 'agent_id')) as Array<{ name: string; kind: string; agent_id: number }>;
      expect(devices).toEqual([{ name: 'test-desktop', kind: 'desktop', agent_id: agent.id }]);
      // The model and the input pack were downloaded into the given cache.
      expect(readdirSync(cacheDir, { recursive: true }).length).toBeGreaterThan(0);
    } finally {
      child.kill('SIGTERM');
    }
    const done = await child;
    expect(done.exitCode, String(done.stderr)).toBe(0);
    expect(String(done.stderr)).toMatch(/SIGTERM: stopping/);
    expect(String(done.stderr)).toMatch(/agent: stopped$/m);
  }, 150_000);

  it('a refused token ends it with LPCV_E_UNAUTHORIZED (exit 2) instead of retrying', async () => {
    const r = await lpcvWithEnv(['agent', '--server', server.url, '--cache-dir', path.join(dir, 'cache-bad')], {
      LPCV_AGENT_TOKEN: 'lpcv_agent_not-a-real-token',
    });
    expect(r.exitCode).toBe(2);
    const last = r.stderr.trim().split('\n').at(-1)!;
    expect(last).toMatch(/^lpcv: LPCV_E_UNAUTHORIZED: /);
  });
});

describe('lpcv agent options', () => {
  it('refuses bad device specs, names, lease lengths and config files, and a missing token, before connecting', async () => {
    const base = ['agent', '--server', 'http://127.0.0.1:1'];
    const env = { LPCV_AGENT_TOKEN: 'lpcv_agent_x' };
    const spec = async (extra: string[], code: string, message: RegExp): Promise<void> => {
      const r = await lpcvWithEnv([...base, ...extra], env);
      expect(r.exitCode, extra.join(' ')).toBe(2);
      const e = expectOneLineError(r);
      expect(e.code, extra.join(' ')).toBe(code);
      expect(e.message, extra.join(' ')).toMatch(message);
    };
    await spec(['--device', 'ssh:pi@board'], 'LPCV_E_DEVICE_SPEC', /expected desktop, ssh:\/\/user@host/);
    await spec(['--device', 'desktop?colour=blue'], 'LPCV_E_DEVICE_SPEC', /unknown setting\(s\) for the desktop driver: colour/);
    await spec(['--device', 'desktop?name=a', '--device', 'desktop?name=a'], 'LPCV_E_DEVICE_SPEC', /two devices are named "a"/);
    await spec(['--name', 'has/slash'], 'LPCV_E_DEVICE_SPEC', /name=/);
    await spec(['--device', 'desktop?name=a', '--device', 'desktop?name=b', '--name', 'c'], 'LPCV_E_USAGE', /--name names the one device/);
    await spec(['--lease-ms', '10'], 'LPCV_E_USAGE', /--lease-ms/);
    await spec(['--server', 'http://127.0.0.1:1/prefix'], 'LPCV_E_USAGE', /root URL/);
    const dir = mkdtempSync(path.join(tmpdir(), 'lpcv-agent-config-'));
    try {
      const config = path.join(dir, 'agent.json');
      writeFileSync(config, JSON.stringify({ devices: ['desktop'], leaseMs: 'long' }));
      await spec(['--config', config], 'LPCV_E_DEVICE_SPEC', /agent\.json: leaseMs: /);
      writeFileSync(config, '{ not json');
      await spec(['--config', config], 'LPCV_E_DEVICE_SPEC', /is not JSON/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const none = await lpcvWithEnv(base);
    expect(none.exitCode).toBe(2);
    expect(expectOneLineError(none)).toMatchObject({ code: 'LPCV_E_USAGE', message: expect.stringContaining('LPCV_AGENT_TOKEN') as unknown });
    // Ten CLI starts: slow on a loaded machine.
  }, 240_000);
});
