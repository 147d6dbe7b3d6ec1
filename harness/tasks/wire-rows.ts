import type { ErrorCode } from '../../errors/codes.js';
import { LpcvError } from '../../errors/lpcv-error.js';

/** A completion's predictions carry one row per id: `field` of `key` must have `ids` entries, else `code`. */
export function checkRowCount(key: string, field: string, count: number, ids: number, code: ErrorCode): void {
  if (count !== ids) throw new LpcvError(code, `the completion is malformed: ${key}.${field}: ${count} entries for ${ids} ids`);
}
