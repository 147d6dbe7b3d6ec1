import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { ErrorCode } from '../../errors/codes.js';
import { LpcvError } from '../../errors/lpcv-error.js';
import { fileSha256 } from '../../submissions/store/artifact-hash.js';
import type { AgentClient } from './agent-client.js';

/**
 * The cache files this agent has verified (hashed, or written from a verified download), each with the file's
 * identity then (device, inode, size, modification and change times, in ns). A file whose identity has not
 * changed is not hashed again: before, every job re-hashed its model, the reference and the input pack (the
 * sample track's hidden split: 6 MB, hashed again as the pack opens) while the device sat leased. Any write,
 * rename or replacement changes the change time, which no process can set back; what this skips is only a
 * re-read of bytes unchanged through the file system. One per agent loop: a restarted agent hashes again.
 */
export class VerifiedFiles {
  readonly #seen = new Map<string, string>();

  /** Whether `file` is unchanged since it was verified as `sha256`. */
  async has(file: string, sha256: string): Promise<boolean> {
    const known = this.#seen.get(file);
    if (known === undefined) return false;
    const now = await identityOf(file, sha256);
    if (now === known) return true;
    this.#seen.delete(file);
    return false;
  }

  /** Records `file` as holding `sha256`, with the identity `identity` it had when it was read or written. */
  remember(file: string, identity: string): void {
    this.#seen.set(file, identity);
  }
}

/** The identity of `file` holding `sha256` (undefined when it is not a file). */
async function identityOf(file: string, sha256: string): Promise<string | undefined> {
  const s = await stat(file, { bigint: true }).catch(() => undefined);
  if (s === undefined || !s.isFile()) return undefined;
  return `${sha256}:${s.dev}:${s.ino}:${s.size}:${s.mtimeNs}:${s.ctimeNs}`;
}

export interface CachedDownload {
  /** Server route of the bytes, e.g. /api/artifacts/<sha256>. */
  readonly route: string;
  /** The sha256 the lease announced (lowercase hex). */
  readonly sha256: string;
  /** Where the verified bytes live: `<cacheDir>/<kind>/<sha256><ext>`. */
  readonly file: string;
  /** The code of a hash mismatch (an infrastructure fault: a corrupt transfer or store). */
  readonly mismatchCode: ErrorCode;
  /** Files verified earlier by this agent: an unchanged one is kept without hashing it again. */
  readonly verified?: VerifiedFiles;
}

/**
 * The file at `file` holding exactly the bytes whose sha256 is `sha256`: kept when already cached and
 * still hashing right, else downloaded to a temporary file beside it, hashed as it streams, and renamed
 * into place only when the hash matches. A mismatch removes the download and throws `mismatchCode`.
 * With `verified`, a file verified before and unchanged since is kept without hashing. Answers whether it
 * downloaded.
 */
export async function downloadCached(client: AgentClient, d: CachedDownload): Promise<boolean> {
  const expected = d.sha256.toLowerCase();
  if (!/^[0-9a-f]{64}$/.test(expected)) throw new LpcvError(d.mismatchCode, `the lease announced ${JSON.stringify(d.sha256)}, not a sha256`);
  if (await d.verified?.has(d.file, expected)) return false;
  // Taken before the hash: a change while hashing makes the next identity differ, so the next job hashes again.
  const existing = await identityOf(d.file, expected);
  if (existing !== undefined) {
    if ((await fileSha256(d.file)) === expected) {
      d.verified?.remember(d.file, existing);
      return false;
    }
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
    const written = await identityOf(d.file, expected);
    if (written !== undefined) d.verified?.remember(d.file, written);
    return true;
  } finally {
    await rm(tmp, { force: true });
  }
}
