import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { LpcvError } from '../../errors/lpcv-error.js';

const SHA256_HEX = /^[0-9a-f]{64}$/;

/** True for exactly 64 lowercase hex digits: the only names the artifact store accepts. */
export function isSha256Hex(value: unknown): value is string {
  return typeof value === 'string' && SHA256_HEX.test(value);
}

/**
 * Throws LPCV_E_ARTIFACT_HASH unless `value` is 64 lowercase hex digits. Every store method that takes a
 * hash calls this first, so a hash from a URL or a request body can never name a path outside the store
 * (`../../etc/passwd`, `ab/../..`, an absolute path, a NUL byte).
 */
export function assertSha256Hex(value: unknown): asserts value is string {
  if (isSha256Hex(value)) return;
  const shown = JSON.stringify(String(value).slice(0, 80));
  throw new LpcvError('LPCV_E_ARTIFACT_HASH', `${shown} is not an artifact hash: expected 64 lowercase hex digits (a sha256)`);
}

/** The hex SHA-256 of a file's bytes, streamed (artifacts, input packs, baselines). */
export async function fileSha256(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file) as AsyncIterable<Buffer>) hash.update(chunk);
  return hash.digest('hex');
}
