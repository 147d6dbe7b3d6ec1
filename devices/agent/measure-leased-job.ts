import path from 'node:path';
import { LpcvError } from '../../errors/lpcv-error.js';
import { openInputPack } from '../../harness/datasets/input-pack/read-input-pack.js';
import { measureOnnx } from '../../harness/measure/measure-onnx.js';
import type { Measurement } from '../../harness/measure/measurement.js';
import { assertValid, validateModel } from '../../harness/validate/validate-model.js';
import type { AgentClient } from './agent-client.js';
import { downloadCached } from './download-cached.js';
import type { AgentLog } from './agent-log.js';
import type { LeaseAnswer } from './lease-answer.js';
import type { RunProgress } from './run-leased-job.js';
import { trackFromLease } from './track-from-lease.js';

/**
 * The measuring half of a leased job on the desktop ONNX target: fetch the artifact and the input pack
 * into the cache (by sha256, verified), validate the model against the leased track with the same code as
 * `lpcv validate`, and run the track's protocol with measureOnnx under the track's time limit. Labels are
 * never involved. Throws LpcvError: the submission's fault (invalid model, crash, NaN, time limit) or the
 * infrastructure's (a download, a hash, the inference process).
 */
export async function measureLeasedJob(
  client: AgentClient,
  lease: LeaseAnswer,
  cacheDir: string,
  log: AgentLog,
  signal?: AbortSignal,
  onProgress?: (p: RunProgress) => void,
): Promise<Measurement> {
  const track = trackFromLease(lease.track, cacheDir);
  if (lease.artifact.format !== 'onnx') {
    throw new LpcvError('LPCV_E_WORKER_FAILED', `this agent's desktop target runs ONNX models, not ${lease.artifact.format}`);
  }
  const modelFile = path.join(cacheDir, 'artifacts', `${lease.artifact.sha256}.onnx`);
  const packFile = path.join(cacheDir, 'inputs', `${lease.inputs.sha256}.lpcvpack`);
  if (await downloadCached(client, { route: lease.artifact.url, sha256: lease.artifact.sha256, file: modelFile, mismatchCode: 'LPCV_E_ARTIFACT_CORRUPT' })) {
    log(`job ${lease.job.id}: downloaded the model (${lease.artifact.bytes} bytes)`);
  }
  if (await downloadCached(client, { route: lease.inputs.url, sha256: lease.inputs.sha256, file: packFile, mismatchCode: 'LPCV_E_INPUT_PACK_HASH' })) {
    log(`job ${lease.job.id}: downloaded the inputs of ${lease.job.track}/${lease.job.split} (${lease.inputs.bytes} bytes)`);
  }
  const report = validateModel(modelFile, track);
  assertValid(report);
  const inputs = await openInputPack(packFile, { expectSha256: lease.inputs.sha256 });
  try {
    const p = track.protocol;
    return await measureOnnx({
      modelPath: modelFile,
      inputName: report.input!.name,
      ...(report.output ? { outputName: report.output.name } : {}),
      track,
      inputs,
      threads: p.threads,
      protocol: { warmupRuns: p.warmupRuns, minRuns: p.minRuns, minDurationMs: p.minDurationMs, maxRuns: p.maxRuns ?? Number.MAX_SAFE_INTEGER },
      timeoutMs: track.limits.runTimeoutMs,
      ...(signal ? { signal } : {}),
      // Phases: accuracy (every input once), warmup, latency (timed runs).
      ...(onProgress ? { onProgress } : {}),
    });
  } finally {
    await inputs.close();
  }
}
