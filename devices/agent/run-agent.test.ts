import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fixtureBytes } from '../../test/testing/onnx-fixtures.js';
import { sqliteTestDatabase } from '../../server/db/testing/databases.js';
import { useTestDatabase } from '../../server/db/testing/suite-hooks.js';
import { createTeam } from '../../server/auth/index.js';
import { startAgentTestApi, type AgentTestApi } from '../../server/http/testing/agent-api-server.js';
import type { Target, TargetJob, TargetRun } from '../targets/target.js';
import { runAgent } from './run-agent.js';

/**
 * A target that answers every input with classes 0-4 (the server scores that for real) once its gate
 * opens, and records how many of its jobs ran at once.
 */
class GatedTarget implements Target {
  readonly kind = 'desktop';
  readonly formats = ['onnx'] as const;
  running = 0;
  maxRunning = 0;
  jobs: number[] = [];
  #open!: () => void;
  readonly gate = new Promise<void>((resolve) => (this.#open = resolve));
  constructor(readonly name: string) {}
  open(): void {
    this.#open();
  }
  capabilities(): Record<string, unknown> {
    return { driver: 'gated-test' };
  }
  async probe() {
    return { kind: this.kind, device: this.name, runtime: 'gated 1.0', threads: 1, os: 'test', cpu: 'test' };
  }
  async run(job: TargetJob): Promise<TargetRun> {
    this.running += 1;
    this.maxRunning = Math.max(this.maxRunning, this.running);
    this.jobs.push(job.jobId);
    try {
      await this.gate;
      const ids = job.inputs.ids;
      return {
        measurement: {
          predictions: { kind: 'topk', ids, topk: ids.map(() => [0, 1, 2, 3, 4]) },
          runtime: 'gated 1.0',
          threads: 1,
          protocol: { warmupRuns: 0, minRuns: 3, minDurationMs: 0, maxRuns: 3 },
          latencyMs: [1, 2, 3],
          warmupMs: [],
          preprocessMs: [],
        },
        target: await this.probe(),
        energy: null,
        energyNote: 'the gated test target has no power sensor',
      };
    } finally {
      this.running -= 1;
    }
  }
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, ms = 60_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('one agent, two devices', () => {
  const database = sqliteTestDatabase();
  let api: AgentTestApi;
  useTestDatabase(database, {
    setUp: async () => void (api = await startAgentTestApi(database, 'multi')),
    tearDown: async () => api?.close(),
  });
  const cacheDir = mkdtempSync(path.join(tmpdir(), 'lpcv-run-agent-'));
  afterAll(() => rmSync(cacheDir, { recursive: true, force: true }));

  it('registers both devices, runs one job on each at once (never two on one), and completes every job', async () => {
    const tiny = fixtureBytes('tiny-conv.onnx');
    const other = await createTeam(api.db, 'multi-other', Date.now());
    for (const token of [api.team.token, other.token]) {
      const form = new FormData();
      form.append('track', 'fashion-mnist');
      form.append('file', new Blob([tiny]), 'm.onnx');
      const res = await fetch(`${api.url}/api/submissions`, { method: 'POST', body: form, headers: { authorization: `Bearer ${token}` } });
      expect(res.status, await res.text()).toBe(201);
    }
    const jobCount = Number(((await api.db('jobs').count({ n: '*' })) as Array<{ n: number | string }>)[0]!.n);
    const a = new GatedTarget('dev-a');
    const b = new GatedTarget('dev-b');
    const stop = new AbortController();
    const lines: string[] = [];
    const agent = runAgent({
      serverUrl: api.url,
      token: api.agentA.token,
      devices: [a, b],
      cacheDir,
      signal: stop.signal,
      log: (l) => lines.push(l),
      pollMs: 20,
      leaseMs: 60_000,
    });
    try {
      // Both devices hold a job at the same time: one lease each.
      await until('a job on each device', async () => (a.running === 1 && b.running === 1 ? true : undefined)).catch((e: unknown) => {
        throw new Error(`${String(e)}; agent log:\n${lines.join('\n')}`);
      });
      const leased = (await api.db('jobs').where({ state: 'leased' }).select('leased_by')) as Array<{ leased_by: string }>;
      expect(leased).toHaveLength(2);
      expect(new Set(leased.map((r) => r.leased_by)).size).toBe(2);
      a.open();
      b.open();
      await until('every job done', async () => {
        const rows = (await api.db('jobs').select('state')) as Array<{ state: string }>;
        return rows.every((r) => r.state === 'done') ? rows : undefined;
      });
    } finally {
      stop.abort();
      await agent;
    }
    expect(a.maxRunning).toBe(1);
    expect(b.maxRunning).toBe(1);
    expect(a.jobs.length + b.jobs.length).toBe(jobCount);
    const devices = (await api.db('devices').orderBy('name').select('name', 'kind')) as Array<{ name: string; kind: string }>;
    expect(devices).toEqual([
      { name: 'dev-a', kind: 'desktop' },
      { name: 'dev-b', kind: 'desktop' },
    ]);
    // Log lines carry the device's name.
    expect(lines.some((l) => l.startsWith('[dev-a] '))).toBe(true);
    expect(lines.some((l) => l.startsWith('[dev-b] '))).toBe(true);
    const results = Number(((await api.db('results').count({ n: '*' })) as Array<{ n: number | string }>)[0]!.n);
    expect(results).toBe(jobCount);
  }, 120_000);
});
