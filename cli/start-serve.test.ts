import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ResultRecord } from '../harness/result-record.js';
import { fixtureBytes } from '../test/testing/onnx-fixtures.js';
import { createTeam, type CreatedOwner } from '../server/auth/index.js';
import { LOCAL_AGENT_TOKEN_FILE } from '../server/serve/local-agent-token.js';
import { startServe } from './start-serve.js';
import type { RunningServer } from '../server/serve/start-server.js';

interface Status {
  status: string;
  track?: string;
  result?: ResultRecord;
  error?: { code: string; message: string };
}

/** The whole embedded default: server, SQLite file, reaper, in-process desktop agent, real measurement. */
describe('lpcv serve (startServer) end to end', () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'lpcv-serve-'));
  const lines: string[] = [];
  let server: RunningServer;
  let team: CreatedOwner;

  beforeAll(async () => {
    server = await startServe({ port: 0, dataDir, localAgent: true, log: (l) => lines.push(l), env: {}, agentPollMs: 200, reapEveryMs: 1_000 });
    team = await createTeam(server.db, 'serve-team', Date.now());
  });
  afterAll(async () => {
    await server?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function submit(fixture: string): Promise<string> {
    const form = new FormData();
    form.append('track', 'fashion-mnist');
    form.append('file', new Blob([fixtureBytes(fixture)]), fixture);
    const res = await fetch(`${server.url}/api/submissions`, { method: 'POST', body: form, headers: { authorization: `Bearer ${team.token}` } });
    expect(res.status).toBe(201);
    return ((await res.json()) as { id: string }).id;
  }

  async function waitFinished(id: string, limitMs: number): Promise<Status> {
    const until = Date.now() + limitMs;
    for (;;) {
      const res = await fetch(`${server.url}/api/submissions/${id}`, { headers: { authorization: `Bearer ${team.token}` } });
      expect(res.status).toBe(200);
      const body = (await res.json()) as Status;
      if (body.status === 'done' || body.status === 'failed') return body;
      if (Date.now() > until) throw new Error(`submission ${id} still ${body.status} after ${limitMs} ms; log:\n${lines.join('\n')}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  it('scores a submission with the local agent and keeps its token file private', async () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const id = await submit('tiny-conv.onnx');
    const shown = await waitFinished(id, 120_000);
    expect(shown.status, JSON.stringify(shown.error)).toBe('done');
    const r = shown.result!;
    expect(r).toMatchObject({ track: 'fashion-mnist', split: 'test', energy: null, target: { kind: 'desktop' }, model: { format: 'onnx' } });
    expect(r.accuracy.top1).toBeGreaterThanOrEqual(0);
    expect(r.accuracy.top1).toBeLessThanOrEqual(1);
    expect(r.latency.count).toBeGreaterThanOrEqual(1);
    expect(r.score.formula).toBe('accuracy-per-time');
    expect(statSync(path.join(dataDir, LOCAL_AGENT_TOKEN_FILE)).mode & 0o777).toBe(0o600);
    expect(lines.some((l) => l.startsWith('local agent: job '))).toBe(true);

    // The whole path ends on the leaderboard: the team sees its entry (the hidden split is not revealed),
    // anybody else does not.
    const board = async (token?: string): Promise<{ entries: Array<{ submission: string; accuracy: number; rank: number | null }>; withheld: number }> =>
      (await (await fetch(`${server.url}/api/leaderboard/fashion-mnist`, { headers: token ? { authorization: `Bearer ${token}` } : {} })).json()) as never;
    const own = await board(team.token);
    expect(own.entries.map((e) => [e.submission, e.accuracy])).toEqual([[id, r.accuracy.top1]]);
    expect(await board()).toMatchObject({ entries: [], withheld: 1 });
  }, 150_000);

  it("fails a model whose outputs are NaN as the submission's fault", async () => {
    const id = await submit('nan-output.onnx');
    const shown = await waitFinished(id, 120_000);
    expect(shown).toMatchObject({ status: 'failed', error: { code: 'LPCV_E_MODEL_OUTPUT_NAN' } });
  }, 150_000);
});
