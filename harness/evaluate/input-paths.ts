import { stat } from 'node:fs/promises';
import { LpcvError } from '../../errors/lpcv-error.js';

/** Which side of an evaluation a path belongs to; used in messages. */
export type InputRole = 'ground truth' | 'predictions';

/**
 * Checks that `path` exists and is a file (or a folder, for `kind: 'dir'`). A missing path is
 * LPCV_E_FILE_NOT_FOUND naming it; a file where a folder is expected (or the reverse) is LPCV_E_USAGE.
 */
export async function checkInputPath(path: string, role: InputRole, kind: 'file' | 'dir'): Promise<void> {
  let isDir: boolean;
  try {
    isDir = (await stat(path)).isDirectory();
  } catch (e) {
    if (isErrnoException(e) && (e.code === 'ENOENT' || e.code === 'ENOTDIR')) {
      throw new LpcvError('LPCV_E_FILE_NOT_FOUND', `${role} not found: ${path}`, { path, role });
    }
    throw e;
  }
  if (kind === 'dir' && !isDir) {
    throw new LpcvError('LPCV_E_USAGE', `${role} must be a folder of PNG files: ${path} is a file`, { path, role });
  }
  if (kind === 'file' && isDir) {
    throw new LpcvError('LPCV_E_USAGE', `${role} must be a file: ${path} is a folder`, { path, role });
  }
}

function isErrnoException(e: unknown): e is NodeJS.ErrnoException {
  return e instanceof Error && 'code' in e;
}
