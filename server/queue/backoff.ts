/**
 * Retry delay after an infrastructure failure: capped exponential with jitter.
 *
 *   delay(attempt) = min(capMs, baseMs * 2^(attempt - 1)) * (1 - jitter * random())
 *
 * `attempt` is the attempt that just failed (1 for the first). With the defaults (30 s base, 15 min cap,
 * jitter 0.5) the waits are 15-30 s, 30-60 s, 1-2 min, 2-4 min, ... never more than 15 min. The jitter
 * spreads the retries of jobs that failed together (an agent that lost its board fails every job it holds)
 * so that they do not come back as one burst. `random` is injectable: `seededRandom` for tests.
 */
import { mulberry32 } from '../../scoring/mulberry32.js';

export interface BackoffPolicy {
  readonly baseMs: number;
  readonly capMs: number;
  /** 0 = exact exponential; 1 = anywhere between 0 and the exponential delay. */
  readonly jitter: number;
  /** Uniform in [0, 1). */
  readonly random: () => number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = Object.freeze({ baseMs: 30_000, capMs: 15 * 60_000, jitter: 0.5, random: Math.random });

export function retryDelayMs(attempt: number, policy: BackoffPolicy = DEFAULT_BACKOFF): number {
  if (!(Number.isInteger(attempt) && attempt >= 1)) throw new Error(`retryDelayMs: attempt must be a whole number >= 1, got ${attempt}`);
  if (!(policy.jitter >= 0 && policy.jitter <= 1)) throw new Error(`retryDelayMs: jitter must be within [0, 1], got ${policy.jitter}`);
  // 2^(attempt-1) overflows to Infinity long after it passes any cap; min() handles that.
  const exponential = Math.min(policy.capMs, policy.baseMs * 2 ** (attempt - 1));
  return Math.round(exponential * (1 - policy.jitter * policy.random()));
}

/** A small deterministic generator (mulberry32) for reproducible jitter in tests. */
export const seededRandom: (seed: number) => () => number = mulberry32;
