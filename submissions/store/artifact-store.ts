/**
 * A content-addressed store of submitted artifacts on disk: `<root>/sha256/<aa>/<64 hex digits>`.
 *
 * Uploads stream into `<root>/tmp/` while being hashed and counted, are fsynced, and are then renamed into
 * place, so a file under sha256/ is always complete and always holds the bytes its name says: a crash
 * mid-upload leaves only a temp file (removed by `sweepTemp`), never a half-written artifact. The same
 * content stored twice is kept once. Hashes given from outside (URLs, request bodies) are checked to be
 * 64 lowercase hex digits before they become paths.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lstat, mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { LpcvError } from '../../errors/lpcv-error.js';
import { assertSha256Hex } from './artifact-hash.js';
import { syncDirectory, writeAll } from './durable-fs.js';
import { PerKeyLock } from './per-key-lock.js';

export interface StoredArtifact {
  sha256: string;
  bytes: number;
  /** Absolute path of the stored file. A server path: never show it to a participant. */
  path: string;
}

export interface PutOptions {
  /** Uploads of more bytes fail with LPCV_E_MODEL_TOO_LARGE as soon as the stream passes this. */
  maxBytes: number;
  /**
   * Called synchronously once the content's hash is known, before the file is published under it: the
   * moment to `hold` the hash so that a concurrent `removeUnlessHeld` of the same content cannot slip in.
   */
  onHashed?: (sha256: string) => void;
}

export type ByteSource = Readable | AsyncIterable<Uint8Array>;

export class ArtifactStore {
  readonly root: string;
  private readonly tmpDir: string;
  private readonly lock = new PerKeyLock();
  private readonly holds = new Map<string, number>();
  /** Temp files of uploads in progress in this process: sweepTemp leaves them alone. */
  private readonly activeTemps = new Set<string>();

  constructor(rootDir: string) {
    this.root = path.resolve(rootDir);
    this.tmpDir = path.join(this.root, 'tmp');
  }

  /** Where the artifact with this hash lives (whether or not it exists). LPCV_E_ARTIFACT_HASH for a bad hash. */
  path(sha256: string): string {
    assertSha256Hex(sha256);
    return path.join(this.root, 'sha256', sha256.slice(0, 2), sha256);
  }

  async has(sha256: string): Promise<boolean> {
    return (await statOrNull(this.path(sha256)))?.isFile() ?? false;
  }

  /**
   * Streams `source` into the store, hashing as it goes. Past `maxBytes` it stops reading, deletes the temp
   * file and throws LPCV_E_MODEL_TOO_LARGE; an empty upload is LPCV_E_MODEL_EMPTY; an error of the source
   * itself is rethrown as it is. In every failure nothing is left on disk. A Readable source is never
   * destroyed here: after a failure its owner decides whether to drain it or close the connection.
   */
  async putStream(source: ByteSource, options: PutOptions): Promise<StoredArtifact> {
    const { maxBytes } = options;
    if (!(maxBytes >= 0)) throw new RangeError(`maxBytes must be a number >= 0, got ${maxBytes}`);
    await mkdir(this.tmpDir, { recursive: true });
    const tmp = path.join(this.tmpDir, `${Date.now()}-${process.pid}-${randomBytes(8).toString('hex')}.part`);
    this.activeTemps.add(tmp);
    try {
      const hash = createHash('sha256');
      let bytes = 0;
      const handle = await open(tmp, 'wx', 0o644);
      try {
        const chunks = source instanceof Readable ? source.iterator({ destroyOnReturn: false }) : source;
        for await (const chunk of chunks as AsyncIterable<unknown>) {
          if (!(chunk instanceof Uint8Array)) throw new TypeError('putStream needs a byte stream (Buffer chunks; no setEncoding)');
          bytes += chunk.length;
          if (bytes > maxBytes) {
            throw new LpcvError('LPCV_E_MODEL_TOO_LARGE', `the upload is larger than the limit of ${maxBytes} bytes (stopped reading at ${bytes} bytes)`, {
              maxBytes,
            });
          }
          hash.update(chunk);
          await writeAll(handle, chunk);
        }
        if (bytes === 0) throw new LpcvError('LPCV_E_MODEL_EMPTY', 'the upload is empty (0 bytes)');
        await handle.sync();
      } finally {
        await handle.close();
      }
      const sha256 = hash.digest('hex');
      options.onHashed?.(sha256);
      const target = await this.lock.run(sha256, () => this.publish(tmp, sha256, bytes));
      return { sha256, bytes, path: target };
    } catch (e) {
      await rm(tmp, { force: true });
      throw e;
    } finally {
      this.activeTemps.delete(tmp);
    }
  }

  /** Stores bytes held in memory (same checks as putStream; no size limit unless given). */
  putBytes(bytes: Uint8Array, options: Partial<PutOptions> = {}): Promise<StoredArtifact> {
    return this.putStream(
      (async function* () {
        yield bytes;
      })(),
      { maxBytes: Number.POSITIVE_INFINITY, ...options },
    );
  }

  /**
   * Re-hashes the stored file. LPCV_E_ARTIFACT_MISSING when it is not there, LPCV_E_ARTIFACT_CORRUPT when its
   * bytes no longer hash to its name (disk fault, someone edited it): both infrastructure faults.
   */
  async verify(sha256: string): Promise<{ bytes: number }> {
    const file = this.path(sha256);
    if (!(await this.has(sha256))) throw new LpcvError('LPCV_E_ARTIFACT_MISSING', `artifact ${sha256} is not in the store`);
    const hash = createHash('sha256');
    let bytes = 0;
    for await (const chunk of createReadStream(file) as AsyncIterable<Buffer>) {
      hash.update(chunk);
      bytes += chunk.length;
    }
    const actual = hash.digest('hex');
    if (actual !== sha256) {
      throw new LpcvError('LPCV_E_ARTIFACT_CORRUPT', `artifact ${sha256} is corrupt: its ${bytes} bytes hash to ${actual}`, { sha256, actual, bytes });
    }
    return { bytes };
  }

  /** Deletes the artifact; false when it was not there. Callers check references first (see removeUnlessHeld). */
  remove(sha256: string): Promise<boolean> {
    const file = this.path(sha256);
    return this.lock.run(sha256, () => unlinkIfPresent(file));
  }

  /**
   * Marks a hash as in use by a request in flight in this process, until the returned function is called
   * (calling it twice is harmless). `removeUnlessHeld` leaves held hashes alone.
   */
  hold(sha256: string): () => void {
    assertSha256Hex(sha256);
    this.holds.set(sha256, (this.holds.get(sha256) ?? 0) + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.holds.get(sha256) ?? 1) - 1;
      if (left > 0) this.holds.set(sha256, left);
      else this.holds.delete(sha256);
    };
  }

  isHeld(sha256: string): boolean {
    return this.holds.has(sha256);
  }

  /** Removes the artifact unless a request in flight holds it; the check and the delete are one step. */
  removeUnlessHeld(sha256: string): Promise<boolean> {
    return this.removeUnlessUsed(sha256, async () => false);
  }

  /**
   * Removes the artifact unless a request in flight holds it or `isReferenced` says a recorded submission uses
   * it, both asked under the hash's lock, in that order. No upload can then record it unseen: one that holds the
   * hash now is seen; one that held it and let go recorded before letting go, so `isReferenced` sees it; one
   * that holds it after the check publishes its file under this same lock, so after the delete, and records
   * after that. (Asking `isReferenced` first and then removing left a window in which an upload of the same
   * bytes recorded and let go: its file was then deleted under it.)
   */
  removeUnlessUsed(sha256: string, isReferenced: (sha256: string) => Promise<boolean>): Promise<boolean> {
    const file = this.path(sha256);
    return this.lock.run(sha256, async () => (this.isHeld(sha256) || (await isReferenced(sha256)) ? false : unlinkIfPresent(file)));
  }

  /**
   * Deletes temp files last written more than `olderThanMs` before `now` (uploads cut off by a crash);
   * uploads still running in this process are skipped. Returns the names removed.
   */
  async sweepTemp(olderThanMs: number, now: number = Date.now()): Promise<string[]> {
    let names: string[];
    try {
      names = await readdir(this.tmpDir);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw e;
    }
    const removed: string[] = [];
    for (const name of names) {
      const file = path.join(this.tmpDir, name);
      if (this.activeTemps.has(file)) continue;
      const info = await lstatOrNull(file);
      if (!info || info.isDirectory() || info.mtimeMs > now - olderThanMs) continue;
      await rm(file, { force: true });
      removed.push(name);
    }
    return removed;
  }

  /** Moves a complete, fsynced temp file to its content address (run under the hash's lock). */
  private async publish(tmp: string, sha256: string, bytes: number): Promise<string> {
    const target = this.path(sha256);
    const dir = path.dirname(target);
    await mkdir(dir, { recursive: true });
    const existing = await statOrNull(target);
    if (existing?.isFile() && existing.size === bytes) {
      // Same name, same size: the same content (dedup). Keep the file that is there; readers may have it open.
      await rm(tmp, { force: true });
      return target;
    }
    // Absent, or a damaged leftover of the wrong size that cannot be these bytes: the fresh copy replaces it.
    await rename(tmp, target);
    await syncDirectory(dir);
    return target;
  }
}

async function statOrNull(file: string): Promise<Stats | null> {
  try {
    return await stat(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
}

async function lstatOrNull(file: string): Promise<Stats | null> {
  try {
    return await lstat(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
}

async function unlinkIfPresent(file: string): Promise<boolean> {
  if (!(await statOrNull(file))) return false;
  await rm(file, { force: true });
  return true;
}
