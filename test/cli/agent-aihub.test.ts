/**
 * `lpcv agent` as a child process with an aihub:// device, against a real server: with the stand-in qai_hub on
 * PYTHONPATH it registers a device of kind `aihub` beside its desktop; without qai_hub importable it reports the
 * aihub device in one line naming what to install, skips it, and serves the desktop. With only that device it
 * exits non-zero. (The stand-in: devices/aihub/testing; docs/aihub.md.)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STANDIN_PYTHONPATH } from '../../devices/aihub/testing/standin.js';
import { createAgent, type CreatedOwner } from '../../server/auth/index.js';
import { startServer, type RunningServer } from '../../server/serve/start-server.js';
import { lpcvWithEnv, spawnLpcv } from '../testing/spawn-lpcv.js';

const AIHUB = 'aihub://s24?device=Samsung%20Galaxy%20S24%20(Family)&runtime=tflite&python=/usr/bin/python3';

describe('lpcv agent with an aihub:// device', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'lpcv-agent-aihub-'));
  let server: RunningServer;
  let agents = 0;

  beforeAll(async () => {
    server = await startServer({ port: 0, dataDir: path.join(dir, 'data'), seedBaselines: false, log: () => {}, env: {} });
  });
  afterAll(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const newAgent = (): Promise<CreatedOwner> => createAgent(server.db, `aihub-agent-${++agents}`, Date.now());
  const devicesOf = async (agent: CreatedOwner): Promise<Array<{ name: string; kind: string }>> =>
    (await server.db('devices').where('agent_id', agent.id).orderBy('name').select('name', 'kind')) as Array<{ name: string; kind: string }>;
  async function until<T>(probe: () => Promise<T | undefined>): Promise<T> {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const v = await probe();
      if (v !== undefined) return v;
      if (Date.now() > deadline) throw new Error('timed out');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  it('registers a device of kind aihub with the stand-in client, beside the desktop', async () => {
    const agent = await newAgent();
    const state = path.join(dir, 'hub');
    const child = spawnLpcv(
      ['agent', '--server', server.url, '--device', 'desktop', '--device', AIHUB, '--cache-dir', path.join(dir, 'c1'), '--poll-ms', '200'],
      {
        LPCV_AGENT_TOKEN: agent.token,
        PYTHONPATH: STANDIN_PYTHONPATH,
        QAI_HUB_STANDIN_DIR: state,
      },
    );
    try {
      const devices = await until(async () => ((await devicesOf(agent)).length === 2 ? devicesOf(agent) : undefined));
      expect(devices.map((d) => d.kind).sort()).toEqual(['aihub', 'desktop']);
    } finally {
      child.kill('SIGTERM');
    }
    expect((await child).exitCode).toBe(0);
  }, 60_000);

  it('without qai_hub importable, skips that device in one line and serves the others; alone, exits non-zero', async () => {
    const agent = await newAgent();
    const empty = path.join(dir, 'empty');
    const child = spawnLpcv(
      ['agent', '--server', server.url, '--device', 'desktop', '--device', AIHUB, '--cache-dir', path.join(dir, 'c2'), '--poll-ms', '200'],
      {
        LPCV_AGENT_TOKEN: agent.token,
        PYTHONPATH: empty,
      },
    );
    let stderr = '';
    child.stderr?.on('data', (b: Buffer) => (stderr += b.toString()));
    try {
      const devices = await until(async () => ((await devicesOf(agent)).length === 1 ? devicesOf(agent) : undefined));
      expect(devices.map((d) => d.kind)).toEqual(['desktop']);
      await until(async () => (/skipped/.test(stderr) ? true : undefined));
      const skipped = stderr.split('\n').filter((l) => l.includes('skipped'));
      expect(skipped).toHaveLength(1);
      expect(skipped[0]).toMatch(/LPCV_E_AIHUB_CLIENT_MISSING|pip install qai-hub/);
    } finally {
      child.kill('SIGTERM');
    }
    expect((await child).exitCode).toBe(0);

    const alone = await lpcvWithEnv(['agent', '--server', server.url, '--device', AIHUB, '--cache-dir', path.join(dir, 'c3')], {
      LPCV_AGENT_TOKEN: (await newAgent()).token,
      PYTHONPATH: empty,
    });
    expect(alone.exitCode).not.toBe(0);
    expect(alone.stderr).toMatch(/LPCV_E_AIHUB_CLIENT_MISSING: no device is left to serve: s24: .*pip install qai-hub/);
  }, 60_000);
});
