import { randomBytes } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { LpcvError } from '../../errors/lpcv-error.js';
import { openInputPack, type InputPack } from '../../harness/datasets/input-pack/read-input-pack.js';
import { parseAgentTrack, type ReceivedLease } from '../../harness/wire/index.js';
import type { ModelFormat } from '../../submissions/model-format.js';
import type { Target, TargetJob, TargetProgress, TargetRun } from '../targets/target.js';
import type { AgentClient } from './agent-client.js';
import type { AgentLog } from './agent-log.js';
import { downloadCached, type VerifiedFiles } from './download-cached.js';
import { isolateFile } from './isolate-file.js';

// An AI Hub compile job is a small JSON file naming the job (devices/aihub/shared-compile-job.ts).
const EXTENSIONS: Record<ModelFormat, string> = { onnx: '.onnx', tflite: '.tflite', zip: '.zip', 'aihub-job': '.json' };

/**
 * The device half of a leased job: fetch the artifact, the input pack and the track's reference model (when
 * the lease names one) into the cache (by sha256, verified), open the pack, give the target a fresh scratch
 * folder and the model (and reference) each alone in a folder of its own inside it (isolate-file.ts), and run
 * the job on the target under the leased track, checked first (a track this agent cannot read fails the job:
 * LPCV_E_TRACK_INVALID). Cache files that `verified` holds as unchanged since this agent verified them are not
 * hashed again (download-cached.ts). Labels are never involved. Throws LpcvError: the submission's fault or
 * the infrastructure's (a download, a hash, the device).
 */
export async function runOnTarget(
  target: Target,
  client: AgentClient,
  lease: ReceivedLease,
  cacheDir: string,
  log: AgentLog,
  signal: AbortSignal,
  onProgress: (p: TargetProgress) => void,
  verified?: VerifiedFiles,
): Promise<TargetRun> {
  const v = verified === undefined ? {} : { verified };
  const track = parseAgentTrack(lease.track);
  const format = lease.artifact.format as ModelFormat;
  if (!(target.formats as readonly string[]).includes(format)) {
    // The server leases by target kind; a device of that kind that cannot run the format is ours to mend.
    throw new LpcvError('LPCV_E_TARGET_FORMAT', `device ${target.name} (${target.kind}) runs ${target.formats.join(', ')}, not ${lease.artifact.format}`);
  }
  const modelFile = path.join(cacheDir, 'artifacts', `${lease.artifact.sha256}${EXTENSIONS[format]}`);
  const packFile = path.join(cacheDir, 'inputs', `${lease.inputs.sha256}.lpcvpack`);
  if (
    await downloadCached(client, { route: lease.artifact.url, sha256: lease.artifact.sha256, file: modelFile, mismatchCode: 'LPCV_E_ARTIFACT_CORRUPT', ...v })
  ) {
    log(`job ${lease.job.id}: downloaded the model (${lease.artifact.bytes} bytes)`);
  }
  if (await downloadCached(client, { route: lease.inputs.url, sha256: lease.inputs.sha256, file: packFile, mismatchCode: 'LPCV_E_INPUT_PACK_HASH', ...v })) {
    log(`job ${lease.job.id}: downloaded the inputs of ${lease.job.track}/${lease.job.split} (${lease.inputs.bytes} bytes)`);
  }
  const reference = lease.reference === undefined ? undefined : await downloadReference(client, lease.reference, cacheDir, lease.job.id, log, verified);
  const inputs = await openInputPack(packFile, { expectSha256: lease.inputs.sha256 });
  const adversarial: Record<string, InputPack> = {};
  try {
    for (const r of lease.robustnessInputs ?? []) {
      const file = path.join(cacheDir, 'inputs', `${r.sha256}.lpcvpack`);
      if (await downloadCached(client, { route: r.url, sha256: r.sha256, file, mismatchCode: 'LPCV_E_INPUT_PACK_HASH', ...v })) {
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
    // The model and the reference each alone in a folder of their own, not in the cache beside other teams'.
    const artifactFile = await isolateFile(modelFile, path.join(workDir, 'model'));
    const isolatedReference = reference === undefined ? undefined : { ...reference, file: await isolateFile(reference.file, path.join(workDir, 'reference')) };
    return await target.run({
      jobId: lease.job.id,
      track,
      split: lease.job.split,
      artifact: { file: artifactFile, sha256: lease.artifact.sha256, bytes: lease.artifact.bytes, format },
      inputs,
      ...(Object.keys(adversarial).length > 0 ? { adversarialInputs: adversarial } : {}),
      ...(isolatedReference === undefined ? {} : { reference: isolatedReference }),
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

/**
 * The track's reference model (docs/protocol.md), cached and verified like the artifact, beside it (the same
 * bytes are the same file: a baseline's own job reuses its reference's download). A download that fails or
 * hashes otherwise is LPCV_E_ARTIFACT_CORRUPT or the transfer's error: the infrastructure's fault, never the
 * submission's.
 */
async function downloadReference(
  client: AgentClient,
  ref: NonNullable<ReceivedLease['reference']>,
  cacheDir: string,
  jobId: number,
  log: AgentLog,
  verified: VerifiedFiles | undefined,
): Promise<NonNullable<TargetJob['reference']>> {
  const file = path.join(cacheDir, 'artifacts', `${ref.sha256}${EXTENSIONS[ref.format as ModelFormat] ?? ''}`);
  if (await downloadCached(client, { route: ref.url, sha256: ref.sha256, file, mismatchCode: 'LPCV_E_ARTIFACT_CORRUPT', ...(verified ? { verified } : {}) })) {
    log(`job ${jobId}: downloaded the reference model ${ref.name} (${ref.bytes} bytes)`);
  }
  return { name: ref.name, file, sha256: ref.sha256 };
}
