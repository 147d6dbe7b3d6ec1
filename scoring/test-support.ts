/** Helpers shared by the scoring tests (not used by the scoring code itself). */
import { LpcvError } from '../errors/lpcv-error.js';

/** The LpcvError code that `fn` throws, undefined when it returns, a description when it throws anything else. */
export function errorCodeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return e instanceof LpcvError ? e.code : `not an LpcvError: ${String(e)}`;
  }
  return undefined;
}
