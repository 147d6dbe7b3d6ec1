/**
 * Helpers shared by the tests (not used by the harness itself): the LpcvError that a call throws or a promise
 * rejects with. Each fails the test when the call succeeds or fails with anything but an LpcvError.
 */
import { LpcvError } from '../../errors/lpcv-error.js';

/** The LpcvError a synchronous call throws; fails the test when it returns or throws anything else. */
export function errorOf(fn: () => unknown): LpcvError {
  let result: unknown;
  try {
    result = fn();
  } catch (e) {
    return expectLpcvError(e);
  }
  if (result instanceof Promise) throw new Error('expected an LpcvError, the call returned a promise: use rejectionOf');
  throw new Error('expected an LpcvError, the call returned');
}

/** The LpcvError a promise rejects with; fails the test when it resolves or rejects with anything else. */
export async function rejectionOf(p: Promise<unknown>): Promise<LpcvError> {
  try {
    await p;
  } catch (e) {
    return expectLpcvError(e);
  }
  throw new Error('expected an LpcvError, the promise resolved');
}

function expectLpcvError(e: unknown): LpcvError {
  if (e instanceof LpcvError) return e;
  throw new Error(`expected an LpcvError, got ${String(e)}`, { cause: e });
}
