import { randomBytes } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { LpcvError } from '../../errors/lpcv-error.js';
import { openInputPack, type InputPack } from '../../harness/datasets/input-pack/read-input-pack.js';
import { parseAgentTrack, type ReceivedLease } from '../../harness/wire/index.js';
import type { ModelFormat } from '../../submissions/model-format.js';
import type { Target, TargetProgress, TargetRun } from '../targets/target.js';
import type { AgentClient } from './agent-client.js';
import type { AgentLog } from './agent-log.js';
import { downloadCached } from './download-cached.js';

const EXTENSIONS: Record<ModelFormat, string> = { onnx: '.onnx', tflite: '.tflite', zip: '.zip' };

/**
 * The device half of a leased job: fetch the artifact and the input pack into the cache (by sha256,
 * verified), open the pack, give the target a fresh scratch folder, and run the job on the target under
 * the leased track, checked first (a track this agent cannot read fails the job: LPCV_E_TRACK_INVALID).
 * Labels are never involved. Throws LpcvError: the submission's fault or the infrastructure's (a download, a
 * hash, the device).
 */
export async function runOnTarget(
  target: Target,
  client: AgentClient,
  lease: ReceivedLease,
  cacheDir: string,
  log: AgentLog,
  signal: AbortSignal,
  onProgress: (p: TargetProgress) => void,
): Promise<TargetRun> {
  const track = parseAgentTrack(lease.track);
  const format = lease.artifact.format as ModelFormat;
  if (!(target.formats as readonly string[]).includes(format)) {
    // The server leases by target kind; a device of that kind that cannot run the format is ours to mend.
    throw new LpcvError('LPCV_E_TARGET_FORMAT', `device ${target.name} (${target.kind}) runs ${target.formats.join(', ')}, not ${lease.artifact.format}`);
  }
  const modelFile = path.join(cacheDir, 'artifacts', `${lease.artifact.sha256}${EXTENSIONS[format]}`);
  const packFile = path.join(cacheDir, 'inputs', `${lease.inputs.sha256}.lpcvpack`);
  if (await downloadCached(client, { route: lease.artifact.url, sha256: lease.artifact.sha256, file: modelFile, mismatchCode: 'LPCV_E_ARTIFACT_CORRUPT' })) {
    log(`job ${lease.job.id}: downloaded the model (${lease.artifact.bytes} bytes)`);
  }
  if (await downloadCached(client, { route: lease.inputs.url, sha256: lease.inputs.sha256, file: packFile, mismatchCode: 'LPCV_E_INPUT_PACK_HASH' })) {
    log(`job ${lease.job.id}: downloaded the inputs of ${lease.job.track}/${lease.job.split} (${lease.inputs.bytes} bytes)`);
  }
  const inputs = await openInputPack(packFile, { expectSha256: lease.inputs.sha256 });
  const adversarial: Record<string, InputPack> = {};
  try {
    for (const r of lease.robustnessInputs ?? []) {
      const file = path.join(cacheDir, 'inputs', `${r.sha256}.lpcvpack`);
      if (await downloadCached(client, { route: r.url, sha256: r.sha256, file, mismatchCode: 'LPCV_E_INPUT_PACK_HASH' })) {
        log(`job ${lease.job.id}: downloaded the adversarial set ${r.split} (${r.bytes} bytes)`);
      }
      adversarial[r.split] = await openInputPack(file, { expectSha256: r.sha256 });
    }
  } catch (e) {
    await Promise.all([inputs, ...Object.values(adversarial)].map((p) => p.close()));
    throw e;
  }
  const workDir = path.join(cacheDir, 'work', `${target.name}-${lease.job.id}-${randomBytes(4).toString('hex')}`);
  await mkdir(workDir, { recursive: true });
  try {
    return await target.run({
      jobId: lease.job.id,
      track,
      split: lease.job.split,
      artifact: { file: modelFile, sha256: lease.artifact.sha256, bytes: lease.artifact.bytes, format },
      inputs,
      ...(Object.keys(adversarial).length > 0 ? { adversarialInputs: adversarial } : {}),
      signal,
      log,
      onProgress,
      workDir,
    });
  } finally {
    await Promise.all([inputs, ...Object.values(adversarial)].map((p) => p.close()));
    await rm(workDir, { recursive: true, force: true });
  }
}
