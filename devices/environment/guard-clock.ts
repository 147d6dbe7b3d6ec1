/**
 * Time for the guards: a clock and a sleep, passed in so that the tests move time by hand instead of waiting
 * (a cooldown may last minutes on a real board).
 */
export interface GuardClock {
  /** Milliseconds on a monotonic clock. */
  now(): number;
  /** Waits `ms`, or less when `signal` aborts first (never rejects). */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const realGuardClock: GuardClock = {
  now: () => performance.now(),
  sleep: (ms, signal) =>
    new Promise((resolve) => {
      if (signal?.aborted) return resolve();
      const done = (): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal?.addEventListener('abort', done, { once: true });
    }),
};
