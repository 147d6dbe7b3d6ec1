import { LpcvError } from '../../errors/lpcv-error.js';

/** A data set file exists but cannot be used; the message names the file and what is wrong with it. */
export function datasetCorrupt(file: string, what: string): LpcvError {
  return new LpcvError('LPCV_E_DATASET_CORRUPT', `${file}: ${what}`, { file });
}

/** A data set file or folder named by the track does not exist. */
export function datasetMissing(path: string, what = 'data set file'): LpcvError {
  return new LpcvError('LPCV_E_DATASET_MISSING', `${what} not found: ${path}`, { path });
}

/** A caller asked for a sample outside the set: a bug in the caller, not a data set problem. */
export function indexOutOfRange(index: number, count: number): LpcvError {
  return new LpcvError('LPCV_E_INTERNAL', `sample index ${index} outside 0..${count - 1}`, { index, count });
}

export function checkIndex(index: number, count: number): void {
  if (!Number.isInteger(index) || index < 0 || index >= count) throw indexOutOfRange(index, count);
}

export function errnoCode(e: unknown): string | undefined {
  if (typeof e === 'object' && e !== null && 'code' in e && typeof e.code === 'string') return e.code;
  return undefined;
}
