import { createHash } from 'node:crypto';
import { request } from 'node:http';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixtureBytes } from '../../../test/testing/onnx-fixtures.js';
import { openInputPack } from '../../../harness/datasets/input-pack/read-input-pack.js';
import { INPUT_PACK_PREAMBLE_BYTES } from '../../../harness/datasets/input-pack/input-pack-format.js';
import { loadLabels } from '../../../harness/datasets/open-split.js';
import { measureOnnx } from '../../../devices/desktop/measure-onnx.js';
import type { Measurement } from '../../../harness/measurement.js';
import type { ResultRecord } from '../../../harness/result-record.js';
import { scorePredictions } from '../../../harness/score/score-predictions.js';
import { parseAgentTrack, parseCompletion, parseLeaseAnswer, type ReceivedLease } from '../../../harness/wire/index.js';
import { assertValid, validateModel } from '../../../submissions/validate/validate-model.js';
import type { TestDatabase } from '../../db/testing/databases.js';
import { useTestDatabase } from '../../db/testing/suite-hooks.js';
import { getJob, reclaimExpiredLeases } from '../../queue/index.js';
import { scoreCompletion } from '../../../harness/score/score-completion.js';
import { getResultOfJob } from '../../scoring/index.js';
import { seedBaselines } from '../../baselines/seed-baselines.js';
import type { Track } from '../../../harness/tracks/track.js';
import { startAgentTestApi, type AgentTestApi } from './agent-api-server.js';
import { sampleBaselineFile, writeTestTrack } from './reference-tracks.js';
import { call } from './test-server.js';

const TARGET = { kind: 'desktop', device: 'test-host', runtime: 'onnxruntime-node', threads: 1, os: 'linux', cpu: 'test cpu' };
const PROTOCOL = { warmupRuns: 1, minRuns: 5, minDurationMs: 0, maxRuns: 5, trials: 1 };

async function expectError(res: Response, status: number, code: string): Promise<string> {
  const body = (await res.json()) as { error: { code: string; message: string } };
  expect({ status: res.status, code: body.error?.code }).toEqual({ status, code });
  return body.error.message;
}

/** Trials of a baseline's job on the suite's server (lpcv serve --baseline-trials). */
const BASELINE_TRIALS = 2;

/**
 * The agent API's behaviour over real HTTP, run against each database (agent-api.sqlite.test.ts,
 * agent-api.postgres.test.ts): a team submits tiny-conv, an agent leases it, downloads the artifact and
 * the input pack, measures it for real with measureOnnx and completes; lease-token conflicts; failures; the
 * track's reference model and a baseline's trials in the lease. Two more tracks, each with a target kind of
 * its own (so that only the devices of those tests lease their jobs), one naming a reference model.
 */
export function agentApiContract(database: TestDatabase): void {
  describe(`the agent API on ${database.name}`, () => {
    let api: AgentTestApi;
    let hiddenIds: string[] = [];
    let withReference: Track;
    let withoutReference: Track;
    const work = mkdtempSync(path.join(tmpdir(), 'lpcv-agent-test-'));
    useTestDatabase(database, {
      async setUp() {
        withReference = writeTestTrack(work, { name: 'ref-track', kind: 'ref-desktop', trials: 3, baselines: ['resnet_s', 'linear'], reference: 'resnet_s' });
        withoutReference = writeTestTrack(work, { name: 'plain-track', kind: 'plain-desktop', trials: 1, baselines: ['linear'] });
        api = await startAgentTestApi(database, 'agent', undefined, {
          otherTracks: [withReference, withoutReference],
          references: true,
          baselineTrials: BASELINE_TRIALS,
        });
        hiddenIds = (await loadLabels(api.track, 'test')).ids;
      },
      async tearDown() {
        try {
          await api?.close();
        } finally {
          rmSync(work, { recursive: true, force: true });
        }
      },
    });

    async function submit(track = 'fashion-mnist'): Promise<string> {
      const form = new FormData();
      form.append('track', track);
      form.append('file', new Blob([fixtureBytes('tiny-conv.onnx')]), 'tiny-conv.onnx');
      const res = await fetch(`${api.url}/api/submissions`, { method: 'POST', body: form, headers: { authorization: `Bearer ${api.team.token}` } });
      expect(res.status).toBe(201);
      return ((await res.json()) as { id: string }).id;
    }

    async function device(token: string, name: string, kind = 'desktop'): Promise<number> {
      const res = await call(api, 'POST', '/api/agent/devices', token, { name, kind, capabilities: { threads: 1 } });
      expect(res.status).toBe(200);
      return ((await res.json()) as { deviceId: number }).deviceId;
    }

    async function submitAndLease(leaseMs?: number): Promise<{ submissionId: string; lease: ReceivedLease; deviceId: number }> {
      const submissionId = await submit();
      const deviceId = await device(api.agentA.token, 'desk-1');
      const res = await call(api, 'POST', '/api/agent/lease', api.agentA.token, { deviceId, ...(leaseMs === undefined ? {} : { leaseMs }) });
      expect(res.status).toBe(200);
      const lease = parseLeaseAnswer(await res.json());
      expect(lease.job.submissionId).toBe(submissionId);
      return { submissionId, lease, deviceId };
    }

    /** A made-up completion for these ids (every image's top class 0). */
    function fakeCompletion(leaseToken: string, ids: readonly string[]): Record<string, unknown> {
      return {
        leaseToken,
        measurement: {
          predictions: { kind: 'topk', ids, topk: ids.map(() => [0, 1, 2, 3, 4]) },
          runtime: 'fake 1.0',
          threads: 1,
          protocol: PROTOCOL,
          latencyMs: [1, 2, 3],
          warmupMs: [5],
          preprocessMs: [0.1],
        },
        target: TARGET,
        energy: null,
        energyNote: 'no power sensor',
        startedAt: '2027-01-15T08:00:00.000Z',
        finishedAt: '2027-01-15T08:00:05.000Z',
      };
    }

    async function status(submissionId: string): Promise<{ status: string; result?: ResultRecord; error?: { code: string } }> {
      const res = await fetch(`${api.url}/api/submissions/${submissionId}`, { headers: { authorization: `Bearer ${api.team.token}` } });
      expect(res.status).toBe(200);
      return (await res.json()) as { status: string; result?: ResultRecord; error?: { code: string } };
    }

    it('refuses requests without an agent token, or with a team token', async () => {
      const routes: [string, string, unknown][] = [
        ['POST', '/api/agent/devices', { name: 'x', kind: 'desktop' }],
        ['POST', '/api/agent/lease', { deviceId: 1 }],
        ['POST', '/api/agent/jobs/1/heartbeat', { leaseToken: 'x' }],
        ['POST', '/api/agent/jobs/1/complete', { leaseToken: 'x' }],
        ['POST', '/api/agent/jobs/1/fail', { leaseToken: 'x', fault: 'submission', code: 'LPCV_E_MODEL_CRASHED', message: 'x' }],
        ['GET', `/api/artifacts/${'0'.repeat(64)}`, undefined],
        ['GET', '/api/inputs/fashion-mnist/test', undefined],
      ];
      for (const [method, route, body] of routes) {
        await expectError(await call(api, method, route, undefined, body), 401, 'LPCV_E_UNAUTHORIZED');
        await expectError(await call(api, method, route, api.team.token, body), 401, 'LPCV_E_UNAUTHORIZED');
      }
    });

    it('refuses a repeated Authorization header, even when every copy is the agent token', async () => {
      // Sent as separate header lines (fetch would join them into one): Node's req.headers keeps only the first.
      const raw = (method: string, route: string, authorization: string[], body: string): Promise<{ status: number; code: string }> =>
        new Promise((resolve, reject) => {
          const headers: Record<string, string | string[]> = {
            authorization,
            'content-type': 'application/json',
            'content-length': String(Buffer.byteLength(body)),
          };
          const req = request(`${api.url}${route}`, { method, headers }, (res) => {
            let text = '';
            res.setEncoding('utf8');
            res.on('data', (c: string) => (text += c));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, code: (JSON.parse(text) as { error?: { code?: string } }).error?.code ?? '' }));
          });
          req.on('error', reject);
          req.end(body);
        });
      const token = `Bearer ${api.agentA.token}`;
      const registered = await raw('POST', '/api/agent/devices', [token], JSON.stringify({ name: 'desk-twice', kind: 'desktop' }));
      expect(registered.status).toBe(200);
      for (const copies of [
        [token, token],
        [token, `Bearer ${api.agentB.token}`],
        ['Bearer nonsense', token],
      ]) {
        for (const [method, route, body] of [
          ['POST', '/api/agent/devices', JSON.stringify({ name: 'desk-twice', kind: 'desktop' })],
          ['POST', '/api/agent/lease', JSON.stringify({ deviceId: 1 })],
          ['GET', `/api/artifacts/${'0'.repeat(64)}`, ''],
        ] as const) {
          expect(await raw(method, route, copies, body), `${method} ${route} with ${copies.length} copies`).toEqual({
            status: 401,
            code: 'LPCV_E_UNAUTHORIZED',
          });
        }
      }
    });

    it("registers a device once per agent and name, and refuses another agent's device", async () => {
      const first = await device(api.agentA.token, 'desk-reg');
      expect(await device(api.agentA.token, 'desk-reg')).toBe(first);
      const other = await device(api.agentB.token, 'desk-reg');
      expect(other).not.toBe(first);
      await expectError(await call(api, 'POST', '/api/agent/lease', api.agentB.token, { deviceId: first }), 404, 'LPCV_E_DEVICE_UNKNOWN');
      expect(
        await expectError(await call(api, 'POST', '/api/agent/devices', api.agentA.token, { name: 'a/b', kind: 'desktop' }), 400, 'LPCV_E_AGENT_REQUEST'),
      ).toMatch(/name/);
      expect((await call(api, 'POST', '/api/agent/lease', api.agentA.token, { deviceId: first })).status).toBe(204);
    });

    it('leases a job, serves the artifact and the inputs, and scores a real measurement with the hidden labels', async () => {
      const { submissionId, lease, deviceId } = await submitAndLease();
      expect(lease.job).toMatchObject({ track: 'fashion-mnist', split: 'test', attempt: 1 });
      expect(lease.track).not.toHaveProperty('dataset');
      expect(lease.track).not.toHaveProperty('file');
      expect(lease.track).not.toHaveProperty('dir');
      expect(lease.track).not.toHaveProperty('baselines');
      expect(lease.track).toMatchObject({ name: 'fashion-mnist', input: api.track.input });
      expect(((await api.db('devices').where('id', deviceId).first('state')) as { state: string }).state).toBe('busy');

      const artifact = await call(api, 'GET', lease.artifact.url, api.agentA.token);
      expect(artifact.status).toBe(200);
      const modelBytes = new Uint8Array(await artifact.arrayBuffer());
      expect(createHash('sha256').update(modelBytes).digest('hex')).toBe(lease.artifact.sha256);
      expect(modelBytes.length).toBe(lease.artifact.bytes);

      const inputs = await call(api, 'GET', lease.inputs.url, api.agentA.token);
      expect(inputs.status).toBe(200);
      expect(inputs.headers.get('x-content-sha256')).toBe(lease.inputs.sha256);
      const packFile = path.join(work, 'inputs.lpcvpack');
      writeFileSync(packFile, new Uint8Array(await inputs.arrayBuffer()));
      const headerText = (() => {
        const buf = readFileSync(packFile);
        return buf.subarray(INPUT_PACK_PREAMBLE_BYTES, INPUT_PACK_PREAMBLE_BYTES + buf.readUInt32LE(12)).toString('utf8');
      })();
      expect(headerText).not.toMatch(/label/i);
      const modelFile = path.join(work, 'model.onnx');
      writeFileSync(modelFile, modelBytes);

      const pack = await openInputPack(packFile, { expectSha256: lease.inputs.sha256 });
      let measurement: Measurement;
      try {
        expect(pack.ids.length).toBe(8000);
        expect(lease.inputs.count).toBe(8000);
        expect(pack.ids).toEqual(hiddenIds);
        // The agent's view of the track, as the agent checks it: no data set, nothing faked in its place.
        const track = parseAgentTrack(lease.track);
        // The model's own input and output names, found as `lpcv score` finds them.
        const report = validateModel(modelFile, track);
        assertValid(report);
        measurement = await measureOnnx({
          modelPath: modelFile,
          inputName: report.input!.name,
          ...(report.output ? { outputName: report.output.name } : {}),
          track,
          inputs: pack,
          threads: 1,
          protocol: PROTOCOL,
          timeoutMs: 120_000,
        });
      } finally {
        await pack.close();
      }
      if (measurement.predictions.kind !== 'topk') throw new Error('expected top-k predictions');
      const body = {
        leaseToken: lease.job.leaseToken,
        measurement: { ...measurement, predictions: { kind: 'topk', ids: measurement.predictions.ids, topk: measurement.predictions.topk } },
        target: TARGET,
        energy: null,
        power: [{ t: 0, watts: 1.5 }],
        startedAt: '2027-01-15T08:00:00.000Z',
        finishedAt: '2027-01-15T08:00:09.000Z',
      };

      // A wrong token changes nothing.
      await expectError(
        await call(api, 'POST', `/api/agent/jobs/${lease.job.id}/complete`, api.agentA.token, { ...body, leaseToken: 'not-the-token' }),
        409,
        'LPCV_E_LEASE_LOST',
      );
      expect((await getJob(api.db, lease.job.id))?.state).toBe('leased');
      expect(await getResultOfJob(api.db, lease.job.id)).toBeUndefined();
      // Nor does another agent holding the right token.
      await expectError(await call(api, 'POST', `/api/agent/jobs/${lease.job.id}/complete`, api.agentB.token, body), 409, 'LPCV_E_LEASE_LOST');

      const beat = await call(api, 'POST', `/api/agent/jobs/${lease.job.id}/heartbeat`, api.agentA.token, {
        leaseToken: lease.job.leaseToken,
        leaseMs: 120_000,
      });
      expect(beat.status).toBe(200);
      expect(((await beat.json()) as { leaseExpiresAt: number }).leaseExpiresAt).toBeGreaterThan(lease.job.leaseExpiresAt);

      const done = await call(api, 'POST', `/api/agent/jobs/${lease.job.id}/complete`, api.agentA.token, body);
      expect(done.status).toBe(200);
      expect(((await done.json()) as { status: string }).status).toBe('done');

      const local = await scorePredictions(api.track, measurement.predictions, await loadLabels(api.track, 'test'));
      const shown = await status(submissionId);
      expect(shown.status).toBe('done');
      expect(shown.result?.accuracy.top1).toBe(local.accuracy.top1);
      expect(shown.result).toMatchObject({
        track: 'fashion-mnist',
        split: 'test',
        target: TARGET,
        energy: null,
        model: { sha256: lease.artifact.sha256, format: 'onnx' },
      });
      expect(shown.result?.latency.count).toBe(measurement.latencyMs.length);

      const stored = await getResultOfJob(api.db, lease.job.id);
      const raw = JSON.parse(stored!.rawJson!) as { measurement: { latencyMs: number[]; warmupMs: number[] }; power: unknown[]; leaseToken?: string };
      expect(raw.measurement.latencyMs).toEqual(measurement.latencyMs);
      expect(raw.measurement.warmupMs).toEqual(measurement.warmupMs);
      expect(raw.power).toEqual([{ t: 0, watts: 1.5 }]);
      expect(raw.leaseToken).toBeUndefined();
      // The stored raw completion re-scores to the same record, by the same code.
      const { completion } = parseCompletion(raw);
      const rescored = await scoreCompletion({
        track: api.track,
        split: 'test',
        model: shown.result!.model,
        completion,
        labels: await loadLabels(api.track, 'test'),
      });
      expect(rescored).toEqual(shown.result);
      expect(((await api.db('devices').where('id', deviceId).first('state')) as { state: string }).state).toBe('idle');

      // Completing twice is a stale token.
      await expectError(await call(api, 'POST', `/api/agent/jobs/${lease.job.id}/complete`, api.agentA.token, body), 409, 'LPCV_E_LEASE_LOST');
      expect(api.internalErrors).toEqual([]);
    }, 120_000);

    it('refuses bad download requests with their codes', async () => {
      const t = api.agentA.token;
      await expectError(await call(api, 'GET', '/api/artifacts/not-a-hash', t), 400, 'LPCV_E_ARTIFACT_HASH');
      await expectError(await call(api, 'GET', `/api/artifacts/${'a'.repeat(64)}`, t), 404, 'LPCV_E_ARTIFACT_MISSING');
      await expectError(await call(api, 'GET', '/api/inputs/nope/test', t), 404, 'LPCV_E_TRACK_UNKNOWN');
      await expectError(await call(api, 'GET', '/api/inputs/fashion-mnist/..%2F..%2Fetc', t), 400, 'LPCV_E_SPLIT_UNKNOWN');
      await expectError(await call(api, 'POST', '/api/agent/jobs/abc/heartbeat', t, { leaseToken: 'x' }), 400, 'LPCV_E_AGENT_REQUEST');
      await expectError(await call(api, 'POST', '/api/agent/jobs/999999/heartbeat', t, { leaseToken: 'x' }), 409, 'LPCV_E_LEASE_LOST');
    });

    it('answers 409 to a token whose lease was reclaimed', async () => {
      const { lease } = await submitAndLease(1_000);
      const reclaimed = await reclaimExpiredLeases(api.db, api.now() + 10_000_000);
      expect(reclaimed.map((j) => j.id)).toContain(lease.job.id);
      const token = lease.job.leaseToken;
      await expectError(
        await call(api, 'POST', `/api/agent/jobs/${lease.job.id}/heartbeat`, api.agentA.token, { leaseToken: token }),
        409,
        'LPCV_E_LEASE_LOST',
      );
      await expectError(
        await call(api, 'POST', `/api/agent/jobs/${lease.job.id}/complete`, api.agentA.token, fakeCompletion(token, hiddenIds)),
        409,
        'LPCV_E_LEASE_LOST',
      );
      await expectError(
        await call(api, 'POST', `/api/agent/jobs/${lease.job.id}/fail`, api.agentA.token, {
          leaseToken: token,
          fault: 'submission',
          code: 'LPCV_E_MODEL_CRASHED',
          message: 'x',
        }),
        409,
        'LPCV_E_LEASE_LOST',
      );
      expect((await getJob(api.db, lease.job.id))?.state).toBe('queued');
    });

    it('refuses a malformed completion naming the key, leaving the job leased', async () => {
      const { lease } = await submitAndLease();
      const body = fakeCompletion(lease.job.leaseToken, hiddenIds);
      const bad = { ...body, measurement: { ...(body.measurement as object), latencyMs: [1, -2] } };
      expect(
        await expectError(await call(api, 'POST', `/api/agent/jobs/${lease.job.id}/complete`, api.agentA.token, bad), 422, 'LPCV_E_PRED_MALFORMED'),
      ).toMatch(/measurement\.latencyMs\.1/);
      expect((await getJob(api.db, lease.job.id))?.state).toBe('leased');
      const res = await call(api, 'POST', `/api/agent/jobs/${lease.job.id}/fail`, api.agentA.token, {
        leaseToken: lease.job.leaseToken,
        fault: 'submission',
        code: 'LPCV_E_MODEL_CRASHED',
        message: 'cleanup',
      });
      expect(res.status).toBe(200);
    });

    it('fails the submission when its predictions do not match the split', async () => {
      const { submissionId, lease } = await submitAndLease();
      const res = await call(
        api,
        'POST',
        `/api/agent/jobs/${lease.job.id}/complete`,
        api.agentA.token,
        fakeCompletion(lease.job.leaseToken, [...hiddenIds].reverse()),
      );
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ status: 'failed', error: { code: 'LPCV_E_PRED_MISMATCH' } });
      expect(await status(submissionId)).toMatchObject({ status: 'failed', error: { code: 'LPCV_E_PRED_MISMATCH' } });
      expect(await getResultOfJob(api.db, lease.job.id)).toBeUndefined();
    });

    it('fails a job for the submission at once', async () => {
      const { submissionId, lease, deviceId } = await submitAndLease();
      const res = await call(api, 'POST', `/api/agent/jobs/${lease.job.id}/fail`, api.agentA.token, {
        leaseToken: lease.job.leaseToken,
        fault: 'submission',
        code: 'LPCV_E_MODEL_CRASHED',
        message: 'segfault',
      });
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ state: 'failed' });
      expect(await status(submissionId)).toMatchObject({ status: 'failed', error: { code: 'LPCV_E_MODEL_CRASHED' } });
      expect(((await api.db('devices').where('id', deviceId).first('state')) as { state: string }).state).toBe('idle');
    });

    /** One lease for each of `count` new devices of `kind` (one job per device), as sent and as read. */
    async function leaseEach(kind: string, count: number): Promise<{ raw: Record<string, unknown>; lease: ReceivedLease }[]> {
      const leases = [];
      for (let i = 0; i < count; i++) {
        const res = await call(api, 'POST', '/api/agent/lease', api.agentA.token, { deviceId: await device(api.agentA.token, `${kind}-${i}`, kind) });
        expect(res.status).toBe(200);
        const raw = (await res.json()) as Record<string, unknown>;
        leases.push({ raw, lease: parseLeaseAnswer(raw) });
      }
      expect((await call(api, 'POST', '/api/agent/lease', api.agentA.token, { deviceId: await device(api.agentA.token, `${kind}-more`, kind) })).status).toBe(
        204,
      );
      return leases;
    }

    /** Ends a test's leased jobs (as the submission's fault, so that none is queued again). */
    async function failAll(leases: readonly { lease: ReceivedLease }[]): Promise<void> {
      for (const { lease } of leases) {
        const body = { leaseToken: lease.job.leaseToken, fault: 'submission', code: 'LPCV_E_MODEL_CRASHED', message: 'test over' };
        expect((await call(api, 'POST', `/api/agent/jobs/${lease.job.id}/fail`, api.agentA.token, body)).status).toBe(200);
      }
    }

    it("leases the track's reference model with every job of the track, whose url serves exactly those bytes; a baseline runs the serve option's trials", async () => {
      const file = readFileSync(sampleBaselineFile('resnet_s'));
      const sha256 = createHash('sha256').update(file).digest('hex');
      const baselines = new Map((await seedBaselines(api.db, api.store, [withReference], api.now)).map((b) => [b.submissionId, b.name]));
      const team = await submit('ref-track');
      const leases = await leaseEach('ref-desktop', 3);
      expect(leases.map((l) => l.lease.job.submissionId).sort()).toEqual([team, ...baselines.keys()].sort());
      for (const { lease } of leases) {
        expect(lease.reference).toEqual({ name: 'resnet_s', url: `/api/artifacts/${sha256}`, sha256, bytes: file.length, format: 'onnx' });
        // The track asks for 3 trials: the baselines (the reference's own job too) run the serve option's.
        const who = baselines.get(lease.job.submissionId) ?? 'team';
        expect([who, parseAgentTrack(lease.track).protocol.trials]).toEqual([who, who === 'team' ? 3 : BASELINE_TRIALS]);
        if (who === 'resnet_s') expect(lease.artifact.sha256).toBe(sha256);
      }
      const res = await call(api, 'GET', leases[0]!.lease.reference!.url, api.agentA.token);
      expect(res.status).toBe(200);
      expect(res.headers.get('x-content-sha256')).toBe(sha256);
      const bytes = Buffer.from(await res.arrayBuffer());
      expect(createHash('sha256').update(bytes).digest('hex')).toBe(sha256);
      expect(bytes.equals(file)).toBe(true);
      await failAll(leases);
      expect(api.internalErrors).toEqual([]);
    });

    it('leases a track without a reference with no reference key, and never more trials than the track asks for', async () => {
      const baselines = new Set((await seedBaselines(api.db, api.store, [withoutReference], api.now)).map((b) => b.submissionId));
      const team = await submit('plain-track');
      const leases = await leaseEach('plain-desktop', 2);
      expect(leases.map((l) => l.lease.job.submissionId).sort()).toEqual([team, ...baselines].sort());
      for (const { raw, lease } of leases) {
        expect(Object.hasOwn(raw, 'reference')).toBe(false);
        // The track asks for 1 trial, fewer than BASELINE_TRIALS: its baseline runs 1 too.
        expect(parseAgentTrack(lease.track).protocol.trials).toBe(1);
      }
      await failAll(leases);
      expect(api.internalErrors).toEqual([]);
    });

    // Last: the requeued job waits out its backoff, which the 1 ms-per-call clock of the later tests would not.
    it('queues a job again after an infrastructure failure', async () => {
      const { submissionId, lease } = await submitAndLease();
      const res = await call(api, 'POST', `/api/agent/jobs/${lease.job.id}/fail`, api.agentA.token, {
        leaseToken: lease.job.leaseToken,
        fault: 'infrastructure',
        code: 'LPCV_E_WORKER_FAILED',
        message: 'no memory',
      });
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ state: 'queued' });
      expect((await status(submissionId)).status).toBe('queued');
      expect(api.internalErrors).toEqual([]);
    });
  });
}
