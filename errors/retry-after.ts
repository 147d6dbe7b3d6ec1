import { LpcvError } from './lpcv-error.js';

/** Refusals that say when to try again (their detail's `retryAfterSeconds`): the quota, the refusal cap, a busy server. */
const RETRY_LATER: ReadonlySet<string> = new Set(['LPCV_E_QUOTA_EXCEEDED', 'LPCV_E_RATE_LIMITED', 'LPCV_E_SERVER_BUSY']);

/** The Retry-After seconds of a refusal that says when to try again, or undefined for any other error. */
export function retryAfterOf(e: unknown): number | undefined {
  if (!(e instanceof LpcvError) || !RETRY_LATER.has(e.code)) return undefined;
  const seconds = e.detail?.retryAfterSeconds;
  return typeof seconds === 'number' ? seconds : undefined;
}
