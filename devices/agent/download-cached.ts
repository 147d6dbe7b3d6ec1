import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { ErrorCode } from '../../errors/codes.js';
import { LpcvError } from '../../errors/lpcv-error.js';
import { fileSha256 } from '../../submissions/store/artifact-hash.js';
import type { AgentClient } from './agent-client.js';

export interface CachedDownload {
  /** Server route of the bytes, e.g. /api/artifacts/<sha256>. */
  readonly route: string;
  /** The sha256 the lease announced (lowercase hex). */
  readonly sha256: string;
  /** Where the verified bytes live: `<cacheDir>/<kind>/<sha256><ext>`. */
  readonly file: string;
  /** The code of a hash mismatch (an infrastructure fault: a corrupt transfer or store). */
  readonly mismatchCode: ErrorCode;
}

/**
 * The file at `file` holding exactly the bytes whose sha256 is `sha256`: kept when already cached and
 * still hashing right, else downloaded to a temporary file beside it, hashed as it streams, and renamed
 * into place only when the hash matches. A mismatch removes the download and throws `mismatchCode`.
 * Answers whether it downloaded.
 */
export async function downloadCached(client: AgentClient, d: CachedDownload): Promise<boolean> {
  const expected = d.sha256.toLowerCase();
  if (!/^[0-9a-f]{64}$/.test(expected)) throw new LpcvError(d.mismatchCode, `the lease announced ${JSON.stringify(d.sha256)}, not a sha256`);
  const existing = await stat(d.file).catch(() => undefined);
  if (existing?.isFile()) {
    if ((await fileSha256(d.file)) === expected) return false;
    await rm(d.file, { force: true });
  }
  await mkdir(path.dirname(d.file), { recursive: true });
  const tmp = `${d.file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    const res = await client.download(d.route);
    const hash = createHash('sha256');
    const fh = await open(tmp, 'w', 0o600);
    try {
      if (res.body !== null) {
        for await (const chunk of res.body as AsyncIterable<Uint8Array>) {
          hash.update(chunk);
          await fh.write(chunk);
        }
      }
      await fh.sync();
    } finally {
      await fh.close();
    }
    const actual = hash.digest('hex');
    if (actual !== expected) {
      throw new LpcvError(
        d.mismatchCode,
        `the download of ${d.route} hashes to ${actual}, not the announced ${expected}: corrupt in transfer or on the server`,
      );
    }
    await rename(tmp, d.file);
    return true;
  } finally {
    await rm(tmp, { force: true });
  }
}
