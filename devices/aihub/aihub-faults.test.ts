/**
 * Whose fault each AI Hub failure is, through the real helper and the stand-in client: the client's UserError
 * and a failed compile are the submission's; InternalError, a missing client and a queue past the track's bound
 * the infrastructure's. A team's shared compile job is used only when it is shared, succeeded and fits.
 */
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { LpcvError } from '../../errors/lpcv-error.js';
import { openInputs } from '../../harness/datasets/open-split.js';
import { resolveTrack } from '../../harness/tracks/load-track.js';
import type { Track } from '../../harness/tracks/track.js';
import type { TargetJob, TargetRun } from '../targets/target.js';
import { AihubTarget, ROBUSTNESS_NOT_ON_AIHUB } from './aihub-target.js';
import { markedModel, standinEnv } from './testing/standin.js';

const scratch = mkdtempSync(path.join(os.tmpdir(), 'lpcv-aihub-faults-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
const tinyConv = fileURLToPath(new URL('../../test/fixtures/onnx/tiny-conv.onnx', import.meta.url));
const base = resolveTrack('fashion-mnist');
const track: Track = { ...base, protocol: { ...base.protocol, trials: 1 }, target: { kind: 'aihub' } };
const DEVICE = 'Samsung Galaxy S24 (Family)';
const shared = path.join(scratch, 'shared.json');
writeFileSync(
  shared,
  JSON.stringify({
    jteam0001: { model: tinyConv, device: DEVICE, runtime: 'tflite', inputName: 'input', shape: [1, 1, 28, 28], dtype: 'float32', shared: true },
    jteam0002: { model: tinyConv, device: DEVICE, runtime: 'tflite', inputName: 'input', shape: [1, 1, 28, 28], dtype: 'float32', shared: false },
    jteam0003: { model: tinyConv, device: 'Google Pixel 8', runtime: 'tflite', inputName: 'input', shape: [1, 1, 28, 28], dtype: 'float32' },
    jteam0004: { model: tinyConv, device: DEVICE, runtime: 'onnx', inputName: 'input', shape: [1, 1, 28, 28], dtype: 'float32' },
    jteam0005: { model: tinyConv, device: DEVICE, runtime: 'tflite', inputName: 'input', shape: [1, 3, 28, 28], dtype: 'float32' },
  }),
);
const target = new AihubTarget({
  spec: `aihub://faults?device=${encodeURIComponent(DEVICE)}&runtime=tflite&iterations=3&python=/usr/bin/python3&poll_ms=1`,
  env: standinEnv(path.join(scratch, 'hub'), { QAI_HUB_STANDIN_SHARED: shared }),
});
afterAll(() => target.close());

const logs: string[] = [];
async function run(file: string, format: 'onnx' | 'aihub-job', t: Track = track, on: AihubTarget = target, signal?: AbortSignal): Promise<unknown> {
  logs.length = 0;
  const all = await openInputs(t, 'val');
  const job: TargetJob = {
    jobId: 1,
    track: t,
    split: 'val',
    artifact: { file, sha256: '0'.repeat(64), bytes: statSync(file).size, format },
    inputs: { ids: all.ids.slice(0, 4), read: (i) => all.read(i) },
    signal: signal ?? new AbortController().signal,
    log: (m) => logs.push(m),
    onProgress: () => {},
    workDir: mkdtempSync(path.join(scratch, 'job-')),
  };
  return on.run(job).catch((e: unknown) => e);
}

const model = (marker: string): Promise<string> => markedModel(tinyConv, path.join(scratch, 'models', marker), marker);
function jobFile(jobId: string): string {
  const f = path.join(scratch, `${jobId}.json`);
  writeFileSync(f, JSON.stringify({ kind: 'aihub-compile-job', jobId }));
  return f;
}

describe('AI Hub runs', () => {
  it("say that the track's robustness splits were not run, each with the reason", async () => {
    const withRobustness: Track = {
      ...track,
      robustness: { of: 'val', seed: 1, profile: 'cifar-10-c', corruptions: [], adversarial: [{ name: 'fgsm', images: 'adversarial/fgsm' }] },
    };
    const done = (await run(await model('plain'), 'onnx', withRobustness)) as TargetRun;
    expect(done.measurement.robustnessSkipped).toEqual({ 'val~fgsm': ROBUSTNESS_NOT_ON_AIHUB });
  }, 20_000);
});

describe('AI Hub faults', () => {
  it.each([
    ['user-error', 'LPCV_E_MODEL_LOAD', 'submission', /UserError|refused upload_model/],
    ['fail-compile', 'LPCV_E_MODEL_LOAD', 'submission', /compile job \w+ failed/],
    ['fail-profile', 'LPCV_E_MODEL_RUNTIME', 'submission', /profile 1\/1 job \w+ failed/],
    ['internal-error', 'LPCV_E_AIHUB_UNAVAILABLE', 'infrastructure', /InternalError/],
  ])(
    'a model marked %s fails as %s (%s)',
    async (marker, code, fault, why) => {
      const e = (await run(await model(marker), 'onnx')) as LpcvError;
      expect(e).toBeInstanceOf(LpcvError);
      expect([e.code, e.fault]).toEqual([code, fault]);
      expect(e.message).toMatch(why);
    },
    20_000,
  );

  // Each status poll takes 300 ms, as an HTTP round trip can: the limit (or the abort) lands in the middle of one,
  // the helper is killed, and a fresh one must cancel while the killed one is still dying.
  const slowPolls = (): AihubTarget =>
    new AihubTarget({ spec: target.spec, env: standinEnv(path.join(scratch, 'hub'), { QAI_HUB_STANDIN_SHARED: shared, QAI_HUB_STANDIN_POLL_MS: '300' }) });

  /** Every AI Hub job the run knew of (its error lists them) was cancelled, by the log and in the stand-in's records. */
  function expectCancelled(e: LpcvError): void {
    // (A job whose submission was still in flight when the run stopped has no id on our side to cancel.)
    const named = /jobs ([^)]*)\)/
      .exec(e.message)![1]!
      .split(', ')
      .filter((id) => /^j[a-z0-9]{8}$/.test(id));
    expect(named.length, e.message).toBeGreaterThan(0);
    for (const id of named) {
      expect(logs).toContain(`AI Hub job ${id} cancelled`);
      const rec = JSON.parse(readFileSync(path.join(scratch, 'hub', 'jobs', `${id}.json`), 'utf8')) as { cancelled: boolean };
      expect(rec.cancelled, id).toBe(true);
    }
  }

  it("a queue wait past the track's limits.runTimeoutMs is the infrastructure's, and cancels the jobs", async () => {
    const on = slowPolls();
    // Probed (the helper started, qai_hub imported) before the run: the limit then covers the AI Hub calls only,
    // so the compile job is submitted well inside it however slowly a loaded machine starts Python.
    await on.probe();
    const limited = { ...track, limits: { ...track.limits, runTimeoutMs: 4_000 } };
    const e = (await run(await model('slow-queue'), 'onnx', limited, on)) as LpcvError;
    expect([e.code, e.fault]).toEqual(['LPCV_E_AIHUB_UNAVAILABLE', 'infrastructure']);
    expect(e.message).toMatch(/did not finish within the track's 4000 ms/);
    expectCancelled(e);
    await on.close();
  }, 20_000);

  it('an aborted run (lease lost, agent stopping) cancels its jobs', async () => {
    const on = slowPolls();
    await on.probe();
    const stop = new AbortController();
    const started = Date.now();
    const compiled = new Promise<void>((resolve) => {
      const wait = setInterval(() => {
        if (logs.some((l) => l.startsWith('AI Hub compile job')) || Date.now() - started > 10_000) resolve(clearInterval(wait));
      }, 20);
    });
    const ran = run(await model('slow-queue'), 'onnx', track, on, stop.signal);
    await compiled;
    setTimeout(() => stop.abort(), 450);
    const e = (await ran) as LpcvError;
    expect(e.code).toBe('LPCV_E_RUN_CANCELLED');
    expectCancelled(e);
    await on.close();
  }, 20_000);

  it('uses a shared, succeeded compile job for this device and runtime', async () => {
    const r = (await run(jobFile('jteam0001'), 'aihub-job')) as Awaited<ReturnType<AihubTarget['run']>>;
    expect(r.measurement.targetReport).toMatchObject({ compileJob: { id: 'jteam0001', compiled: 'shared' } });
    expect(r.measurement.latencyMs).toHaveLength(3);
  }, 20_000);

  it.each([
    ['jteam0002', /does not exist or you do not have permission/],
    ['jteam0003', /compiled for "Google Pixel 8"/],
    ['jteam0004', /targets runtime onnx/],
    ['jteam0005', /input input is float32 \[1, 3, 28, 28\]/],
    ['jnothere9', /does not exist/],
  ])(
    'refuses shared job %s as the submission fault',
    async (jobId, why) => {
      const e = (await run(jobFile(jobId), 'aihub-job')) as LpcvError;
      expect([e.code, e.fault]).toEqual(['LPCV_E_AIHUB_JOB_INVALID', 'submission']);
      expect(e.message).toMatch(why);
    },
    20_000,
  );

  it('a probe without qai_hub importable names what to install (the infrastructure fault)', async () => {
    const bare = new AihubTarget({ spec: 'aihub://bare?device=S24&runtime=tflite&python=/usr/bin/python3', env: { PYTHONPATH: path.join(scratch, 'empty') } });
    const e = (await bare.probe().catch((err: unknown) => err)) as LpcvError;
    await bare.close();
    expect([e.code, e.fault]).toEqual(['LPCV_E_AIHUB_CLIENT_MISSING', 'infrastructure']);
    expect(e.message).toMatch(/pip install qai-hub, then qai-hub configure/);
  }, 20_000);
});
