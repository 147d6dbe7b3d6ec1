import { LpcvError } from '../../errors/lpcv-error.js';

/** How many example names a mismatch message lists before it says "and N more". */
export const MAX_LISTED = 5;

/** `a, b, c` or `a, b, c, d, e and 7 more`. */
export function listSome(items: readonly (string | number)[], max = MAX_LISTED): string {
  const shown = items.slice(0, max).join(', ');
  return items.length > max ? `${shown} and ${items.length - max} more` : shown;
}

/** What both a Map and a Set offer: membership, keys and a size. */
export interface KeySet {
  has(key: string): boolean;
  keys(): Iterable<string>;
  readonly size: number;
}

/**
 * Compares the ground truth's keys with the predictions' keys and throws LPCV_E_PRED_MISMATCH when either
 * side has a key the other lacks. The message gives both counts and up to five examples of each; `detail`
 * carries the same (examples capped, counts exact) for machine readers.
 * `what` names the keys in messages ("images", "files").
 */
export function checkSameKeys(predFile: string, gt: KeySet, pred: KeySet, what: string): void {
  const missing: string[] = [];
  for (const key of gt.keys()) {
    if (!pred.has(key)) missing.push(key);
  }
  const unknown: string[] = [];
  for (const key of pred.keys()) {
    if (!gt.has(key)) unknown.push(key);
  }
  if (missing.length === 0 && unknown.length === 0) return;
  const parts: string[] = [];
  if (missing.length > 0) {
    parts.push(`${missing.length} of ${gt.size} ground-truth ${what} have no prediction (${listSome(missing)})`);
  }
  if (unknown.length > 0) {
    parts.push(`${unknown.length} predicted ${what} are not in the ground truth (${listSome(unknown)})`);
  }
  throw new LpcvError('LPCV_E_PRED_MISMATCH', `${predFile}: ${parts.join('; ')}`, {
    file: predFile,
    missingCount: missing.length,
    missing: missing.slice(0, MAX_LISTED),
    unknownCount: unknown.length,
    unknown: unknown.slice(0, MAX_LISTED),
  });
}
