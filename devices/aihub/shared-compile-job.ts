/**
 * A team's own AI Hub compile job as a submission (issue 15, item 3): the artifact is a small JSON file
 * `{"kind":"aihub-compile-job","jobId":"<id>"}`; the agent fetches the job by that id and uses it only when it
 * is shared with the organizers' account (else AI Hub refuses get_job), succeeded, and compiled for this
 * device's AI Hub device and runtime with the track's one input. Anything else is the submission's fault.
 */
import { readFile } from 'node:fs/promises';
import { LpcvError } from '../../errors/lpcv-error.js';
import { AIHUB_CODES } from './aihub-faults.js';

export interface SharedJobSummary {
  readonly jobId: string;
  /** The client's class name: CompileJob, ProfileJob, InferenceJob, ... */
  readonly kind: string;
  readonly status: { readonly state: string; readonly message: string };
  /** AI Hub's device name. */
  readonly device: string;
  /** The job's options string, e.g. `--target_runtime tflite`. */
  readonly options: string;
  readonly inputSpecs: Readonly<Record<string, { readonly shape: readonly number[]; readonly dtype: string }>>;
}

export interface SharedJobRequirements {
  readonly device: string;
  readonly runtime: string;
  readonly shape: readonly number[];
  readonly dtype: string;
}

/** AI Hub compiles for TFLite when a compile job names no --target_runtime. */
const DEFAULT_RUNTIME = 'tflite';

function refused(why: string): LpcvError {
  return new LpcvError(AIHUB_CODES.sharedJob, `the submitted AI Hub compile job cannot be used: ${why}`);
}

export async function readSharedJobArtifact(file: string): Promise<{ jobId: string }> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(file, 'utf8'));
  } catch {
    throw refused('the submission is not the JSON {"kind":"aihub-compile-job","jobId":"..."}');
  }
  const o = json as { kind?: unknown; jobId?: unknown };
  if (o?.kind !== 'aihub-compile-job' || typeof o.jobId !== 'string' || !/^[A-Za-z0-9]{1,64}$/.test(o.jobId))
    throw refused('the submission is not the JSON {"kind":"aihub-compile-job","jobId":"..."} with an AI Hub job id');
  return { jobId: o.jobId };
}

/** Checks the job against the device and the track; answers its input's name. */
export function checkSharedJob(job: SharedJobSummary, need: SharedJobRequirements): string {
  if (job.kind !== 'CompileJob') throw refused(`job ${job.jobId} is a ${job.kind}, not a compile job`);
  if (job.status.state !== 'success')
    throw refused(`job ${job.jobId} has not succeeded (${job.status.state}${job.status.message ? `: ${job.status.message}` : ''})`);
  if (job.device !== need.device)
    throw refused(`job ${job.jobId} was compiled for ${JSON.stringify(job.device)}, the track runs on ${JSON.stringify(need.device)}`);
  const runtime = /--target_runtime[ =]([A-Za-z0-9_]+)/.exec(job.options)?.[1] ?? DEFAULT_RUNTIME;
  if (runtime !== need.runtime) throw refused(`job ${job.jobId} targets runtime ${runtime}, the track's device runs ${need.runtime}`);
  const inputs = Object.entries(job.inputSpecs);
  if (inputs.length !== 1) throw refused(`job ${job.jobId} has ${inputs.length} inputs; the track has one`);
  const [name, spec] = inputs[0]!;
  if (spec.shape.length !== need.shape.length || spec.shape.some((d, i) => d !== need.shape[i]) || spec.dtype !== need.dtype)
    throw refused(`job ${job.jobId}'s input ${name} is ${spec.dtype} [${spec.shape.join(', ')}], the track's is ${need.dtype} [${need.shape.join(', ')}]`);
  return name;
}
