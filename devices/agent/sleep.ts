/** Waits `ms`, or less when `signal` aborts first (never rejects). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** Resolves when `signal` aborts (at once if it has); `cancel` stops waiting (the promise then never settles). */
export function whenAborted(signal: AbortSignal, cancel: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const fire = (): void => {
      cancel.removeEventListener('abort', drop);
      resolve();
    };
    const drop = (): void => signal.removeEventListener('abort', fire);
    signal.addEventListener('abort', fire, { once: true });
    cancel.addEventListener('abort', drop, { once: true });
  });
}

/** Capped exponential backoff: base * 2^attempt, at most cap (attempt counts from 0). */
export function backoffMs(attempt: number, baseMs: number, capMs: number): number {
  return Math.min(capMs, baseMs * 2 ** Math.min(attempt, 30));
}
