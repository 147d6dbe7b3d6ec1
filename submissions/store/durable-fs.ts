/** The few file-system steps that make a stored artifact survive a crash or a power cut. */
import type { FileHandle } from 'node:fs/promises';
import { open } from 'node:fs/promises';

/** Writes all of `chunk` at the handle's position (a single write may be short). */
export async function writeAll(handle: FileHandle, chunk: Uint8Array): Promise<void> {
  let offset = 0;
  while (offset < chunk.length) {
    const { bytesWritten } = await handle.write(chunk, offset, chunk.length - offset);
    offset += bytesWritten;
  }
}

/**
 * fsyncs a directory so that a rename into it is on disk. Some platforms cannot open or sync a directory
 * (Windows: EISDIR/EPERM; some file systems: EINVAL); there the rename is as durable as the OS makes it.
 */
export async function syncDirectory(dir: string): Promise<void> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'EISDIR' && code !== 'EPERM' && code !== 'EINVAL' && code !== 'ENOTSUP') throw e;
  } finally {
    await handle?.close();
  }
}
