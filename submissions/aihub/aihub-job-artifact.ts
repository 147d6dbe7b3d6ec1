/**
 * A submission that names a compile job on Qualcomm AI Hub instead of carrying a model: the team compiled its
 * model there for the track's device and shared the job with the organizers. The intake turns the job id into
 * a small JSON file, stored by sha256 like every upload, so that the queue, the lease and the agent's
 * download stay the same for every format; the AI Hub driver reads the id back from that file and checks the
 * job itself (shared, succeeded, device, runtime, input spec). Here only the id's shape is checked.
 *
 * The file is exactly `{"kind":"aihub-compile-job","jobId":"<id>"}` in UTF-8, no spaces, no newline: one job
 * has one sha256, and sniffing compares bytes instead of parsing JSON, so nothing else is taken for it.
 */
import { LpcvError } from '../../errors/lpcv-error.js';

/**
 * AI Hub job ids as the client prints them and `qai_hub.get_job` takes them (e.g. `jgdx8v3p5`): `j` and 8
 * lower-case letters or digits. AI Hub's documentation does not state the shape; this is the shape of every
 * published id seen, so a new shape would need this line changed (docs/tracks.md says so).
 */
export const AIHUB_JOB_ID = /^j[a-z0-9]{8}$/;

const AIHUB_JOB_KIND = 'aihub-compile-job';
const PREFIX = `{"kind":"${AIHUB_JOB_KIND}","jobId":"`;
const SUFFIX = '"}';

/** The artifact's bytes for a job id; a malformed id is LPCV_E_AIHUB_JOB_ID. */
export function aihubJobArtifact(jobId: string): Uint8Array {
  checkAihubJobId(jobId);
  return new TextEncoder().encode(canonicalText(jobId));
}

/** Throws LPCV_E_AIHUB_JOB_ID unless `jobId` has the shape of an AI Hub job id. */
export function checkAihubJobId(jobId: string): void {
  if (AIHUB_JOB_ID.test(jobId)) return;
  const shown = jobId.length > 40 ? `${JSON.stringify(jobId.slice(0, 40))}...` : JSON.stringify(jobId);
  throw new LpcvError('LPCV_E_AIHUB_JOB_ID', `${shown} is not an AI Hub job id: expected "j" and 8 lower-case letters or digits, e.g. jgdx8v3p5`);
}

/** The job id of an artifact's bytes, or undefined unless they are exactly an artifact of a well-formed id. */
export function aihubJobIdOf(bytes: Uint8Array): string | undefined {
  if (bytes.length !== PREFIX.length + 9 + SUFFIX.length) return undefined;
  // Every byte of a real artifact is ASCII, so latin1 maps bytes to characters one to one.
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('latin1');
  if (!text.startsWith(PREFIX) || !text.endsWith(SUFFIX)) return undefined;
  const jobId = text.slice(PREFIX.length, -SUFFIX.length);
  return AIHUB_JOB_ID.test(jobId) ? jobId : undefined;
}

/**
 * Why bytes that look meant as an AI Hub job artifact (JSON naming the kind) are not one, or undefined when
 * they do not look meant as one: so a hand-written file with a space or a newline is told what to fix
 * instead of "not an ONNX model".
 */
export function aihubJobArtifactProblem(bytes: Uint8Array): string | undefined {
  // A hand-written file is small; a large file starting with "{" is some other thing and is not decoded.
  if (bytes.length > 4096 || bytes[0] !== 0x7b || aihubJobIdOf(bytes) !== undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || (parsed as { kind?: unknown }).kind !== AIHUB_JOB_KIND) return undefined;
  const jobId = (parsed as { jobId?: unknown }).jobId;
  const example = canonicalText(typeof jobId === 'string' && AIHUB_JOB_ID.test(jobId) ? jobId : 'jgdx8v3p5');
  return `an AI Hub compile job file must be exactly ${example} (no spaces, no newline, no other keys, "j" and 8 lower-case letters or digits)`;
}

/** `JSON.stringify({ kind, jobId })` for a well-formed id, spelled out so that the bytes never depend on a serialiser. */
function canonicalText(jobId: string): string {
  return `${PREFIX}${jobId}${SUFFIX}`;
}
