/**
 * Issue 15's contract over HTTP, against the stand-in qai_hub: a baseline uploaded to a track served by
 * `aihub` devices, leased by a real agent whose aihub:// device compiles, profiles and runs it through the helper
 * process, scored by the server on the hidden split as the desktop scores it (the stand-in's inference job runs
 * the model with onnxruntime-node), with latency.count = the profile jobs' iterations and the layers in the report.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AihubTarget } from '../../devices/aihub/aihub-target.js';
import { standinEnv } from '../../devices/aihub/testing/standin.js';
import { submitAndMeasure } from '../../devices/agent/testing/submit-and-measure.js';
import { resolveTrack } from '../../harness/tracks/load-track.js';
import type { Track } from '../../harness/tracks/track.js';
import { sqliteTestDatabase } from '../../server/db/testing/databases.js';
import { useTestDatabase } from '../../server/db/testing/suite-hooks.js';
import { startAgentTestApi, type AgentTestApi } from '../../server/http/testing/agent-api-server.js';
import { ROOT } from '../testing/run-lpcv.js';

const scratch = mkdtempSync(path.join(os.tmpdir(), 'lpcv-aihub-e2e-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const base = resolveTrack('fashion-mnist');
/** fashion-mnist on AI Hub: 3 trials (profile jobs), no reference (AI Hub cannot pair one), scored on the mean latency. */
const track: Track = {
  ...base,
  name: 'fashion-mnist-aihub',
  target: { kind: 'aihub' },
  protocol: { ...base.protocol, trials: 3, reference: undefined, referenceLatencyMs: undefined },
  score: { ...base.score, params: { ...base.score.params, latency: 'mean' } },
};

describe('a baseline through aihub:// over HTTP', () => {
  const database = sqliteTestDatabase();
  let api: AgentTestApi;
  useTestDatabase(database, {
    setUp: async () => void (api = await startAgentTestApi(database, 'aihub-e2e', track)),
    tearDown: async () => api?.close(),
  });

  it('is scored on the hidden split as the desktop scores it, with every profile iteration a latency sample', async () => {
    const dir = path.join(ROOT, 'baselines', 'fashion-mnist');
    const recorded = (
      JSON.parse(readFileSync(path.join(dir, 'baselines.json'), 'utf8')) as { models: { name: string; file: string; test: Record<string, number> }[] }
    ).models;
    const linear = recorded.find((m) => m.name === 'linear')!;
    const device = new AihubTarget({
      spec: 'aihub://s24?device=Samsung%20Galaxy%20S24%20(Family)&runtime=tflite&iterations=20&compute_unit=npu&python=/usr/bin/python3&poll_ms=5',
      env: standinEnv(path.join(scratch, 'hub')),
    });
    const body = await submitAndMeasure(api, { bytes: readFileSync(path.join(dir, linear.file)), name: linear.file }, device, path.join(scratch, 'cache'));
    expect(body.status, `${JSON.stringify(body.error)}\nagent log:\n${body.log}`).toBe('done');
    const r = body.result!;
    expect(r.split).toBe('test');
    expect(Math.abs(r.accuracy.top1! - linear.test.top1!)).toBeLessThan(1e-6);
    expect(r.latency.count).toBe(3 * 20);
    // The target's report travels in the raw measurement the server keeps beside the record.
    const raw = (await api.db('results').first('raw_json')) as { raw_json: string };
    const report = (JSON.parse(raw.raw_json) as { measurement?: { targetReport?: unknown }; targetReport?: unknown }).measurement?.targetReport as {
      driver: string;
      profileJobs: { id: string; iterations: number }[];
      layers: { name: string; computeUnit: string }[];
      cpuFallback: boolean;
    };
    expect(report.driver).toBe('aihub');
    expect(report.profileJobs.map((p) => p.iterations)).toEqual([20, 20, 20]);
    expect(new Set(report.profileJobs.map((p) => p.id)).size).toBe(3);
    expect(report.layers.map((l) => l.computeUnit)).toEqual(['NPU', 'NPU', 'CPU']);
    expect(report.cpuFallback).toBe(true);
    expect(r.energy).toBeNull();
    // The status page shows where each layer ran, and that some fell back to the CPU.
    const page = await (await fetch(`${api.url}/submissions/${body.id}`, { headers: { authorization: `Bearer ${api.team.token}` } })).text();
    expect(page).toMatch(/<table id="device-layers"><caption>Where each layer ran, as the device's profile reports it \(2 on NPU, 1 on CPU\)/);
    expect(page).toContain('id="cpu-fallback"');
    expect(r.validity?.referencePaired ?? null).not.toBe(true);
    expect(api.internalErrors).toEqual([]);
  }, 60_000);
});
