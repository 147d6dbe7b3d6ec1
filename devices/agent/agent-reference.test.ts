/**
 * The track's reference model on its way to the target: the agent downloads it from the server like the
 * artifact (cached by sha256, verified) and hands the target its path; a reference whose bytes do not hash
 * to what the lease announced fails the job as the infrastructure's fault. Real server, real HTTP, real files.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Track } from '../../harness/tracks/track.js';
import { parseLeaseAnswer, type ReceivedLease } from '../../harness/wire/index.js';
import { sqliteTestDatabase } from '../../server/db/testing/databases.js';
import { useTempDir, useTestDatabase } from '../../server/db/testing/suite-hooks.js';
import { startAgentTestApi, type AgentTestApi } from '../../server/http/testing/agent-api-server.js';
import { sampleBaselineFile, writeTestTrack } from '../../server/http/testing/reference-tracks.js';
import { call } from '../../server/http/testing/test-server.js';
import { getJob } from '../../server/queue/index.js';
import { fixtureBytes } from '../../test/testing/onnx-fixtures.js';
import type { Target, TargetJob, TargetRun } from '../targets/target.js';
import { AgentClient } from './agent-client.js';
import { runAgent } from './run-agent.js';
import { runLeasedJob } from './run-leased-job.js';

const sha256Of = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

/**
 * A target that records the reference each job got, the sha256 of the file at its path while it ran, and what
 * the folders of the model and of the reference held then.
 */
class RecordingTarget implements Target {
  readonly kind = 'desktop';
  readonly formats = ['onnx'] as const;
  readonly seen: { reference: TargetJob['reference']; fileSha256: string | null; modelFolder: string[]; referenceFolder: string[] | null }[] = [];
  constructor(readonly name: string) {}
  capabilities(): Record<string, unknown> {
    return { driver: 'recording-test' };
  }
  async probe() {
    return { kind: this.kind, device: this.name, runtime: 'recording 1.0', threads: 1, os: 'test', cpu: 'test' };
  }
  async run(job: TargetJob): Promise<TargetRun> {
    this.seen.push({
      reference: job.reference,
      fileSha256: job.reference === undefined ? null : sha256Of(readFileSync(job.reference.file)),
      modelFolder: readdirSync(path.dirname(job.artifact.file)),
      referenceFolder: job.reference === undefined ? null : readdirSync(path.dirname(job.reference.file)),
    });
    const ids = job.inputs.ids;
    return {
      measurement: {
        predictions: { kind: 'topk', ids, topk: ids.map(() => [0, 1, 2, 3, 4]) },
        runtime: 'recording 1.0',
        threads: 1,
        protocol: { warmupRuns: 0, minRuns: 3, minDurationMs: 0, maxRuns: 3 },
        latencyMs: [1, 2, 3],
        warmupMs: [],
        preprocessMs: [],
      },
      target: await this.probe(),
      energy: null,
      energyNote: 'the recording test target has no power sensor',
    };
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

describe("the agent and the track's reference model", () => {
  const database = sqliteTestDatabase();
  const dir = useTempDir('lpcv-agent-reference-');
  let api: AgentTestApi;
  let track: Track;
  useTestDatabase(database, {
    async setUp() {
      track = writeTestTrack(dir(), { name: 'ref-track', kind: 'desktop', trials: 2, baselines: ['resnet_s'], reference: 'resnet_s' });
      api = await startAgentTestApi(database, 'reference', track, { references: true });
    },
    tearDown: async () => api?.close(),
  });
  const reference = readFileSync(sampleBaselineFile('resnet_s'));

  async function submit(): Promise<string> {
    const form = new FormData();
    form.append('track', track.name);
    form.append('file', new Blob([fixtureBytes('tiny-conv.onnx')]), 'tiny-conv.onnx');
    const res = await fetch(`${api.url}/api/submissions`, { method: 'POST', body: form, headers: { authorization: `Bearer ${api.team.token}` } });
    expect(res.status, await res.clone().text()).toBe(201);
    return ((await res.json()) as { id: string }).id;
  }

  it('downloads the reference into its cache, verified, and hands the target its path', async () => {
    const submissionId = await submit();
    const target = new RecordingTarget('desk-ref');
    const cacheDir = path.join(dir(), 'cache-1');
    const stop = new AbortController();
    const lines: string[] = [];
    const agent = runAgent({
      serverUrl: api.url,
      token: api.agentA.token,
      devices: [target],
      cacheDir,
      signal: stop.signal,
      log: (l) => lines.push(l),
      pollMs: 20,
    });
    try {
      await until('the job done', async () => {
        const row = (await api.db('submissions').where('id', submissionId).first('job_id')) as { job_id: number };
        return (await getJob(api.db, row.job_id))?.state === 'done' ? true : undefined;
      }).catch((e: unknown) => {
        throw new Error(`${String(e)}; agent log:\n${lines.join('\n')}`);
      });
    } finally {
      stop.abort();
      await agent;
    }
    const sha256 = sha256Of(reference);
    // Cached by its sha256 beside the artifact, and handed to the target alone in a folder of its own (as the
    // model is), not in the cache where every team's models sit side by side.
    expect(existsSync(path.join(cacheDir, 'artifacts', `${sha256}.onnx`))).toBe(true);
    expect(target.seen).toHaveLength(1);
    const seen = target.seen[0]!;
    expect(seen).toMatchObject({ reference: { name: 'resnet_s', sha256 }, fileSha256: sha256, referenceFolder: [`${sha256}.onnx`] });
    expect(seen.modelFolder).toHaveLength(1);
    expect(path.dirname(seen.reference!.file)).not.toBe(path.join(cacheDir, 'artifacts'));
    expect(path.basename(seen.reference!.file)).toBe(`${sha256}.onnx`);
    expect(lines.some((l) => l.includes('downloaded the reference model resnet_s'))).toBe(true);
  }, 120_000);

  it('fails the job as the infrastructure when the reference downloads with other bytes than announced, without running it', async () => {
    await submit();
    const res = await call(api, 'POST', '/api/agent/devices', api.agentA.token, { name: 'desk-corrupt', kind: 'desktop' });
    const { deviceId } = (await res.json()) as { deviceId: number };
    const leased = await call(api, 'POST', '/api/agent/lease', api.agentA.token, { deviceId });
    expect(leased.status).toBe(200);
    const lease = parseLeaseAnswer(await leased.json());
    expect(lease.reference?.sha256).toBe(sha256Of(reference));
    // As if the transfer (or the server's copy) were corrupt: the announced hash, another file's bytes.
    const corrupt: ReceivedLease = { ...lease, reference: { ...lease.reference!, url: lease.artifact.url } };
    const target = new RecordingTarget('desk-corrupt');
    const lines: string[] = [];
    await runLeasedJob({
      client: new AgentClient(api.url, api.agentA.token),
      target,
      lease: corrupt,
      cacheDir: path.join(dir(), 'cache-2'),
      log: (l) => lines.push(l),
      leaseMs: 60_000,
      stop: new AbortController().signal,
      graceMs: 1_000,
      now: Date.now,
    });
    expect(target.seen).toEqual([]);
    const job = await getJob(api.db, lease.job.id);
    // An infrastructure failure goes back to the queue; a submission's would have failed it for good.
    expect({ state: job?.state, fault: job?.errorFault, code: job?.lastErrorCode }).toEqual({
      state: 'queued',
      fault: 'infrastructure',
      code: 'LPCV_E_ARTIFACT_CORRUPT',
    });
    expect(job?.lastErrorMessage).toMatch(/hashes to [0-9a-f]{64}, not the announced/);
  }, 60_000);
});
