/** The quota's time window: the UTC day that contains `now`. Pure: the caller passes the clock. */
export interface QuotaWindow {
  /** Inclusive, epoch ms: 00:00:00.000 UTC of the day. */
  readonly start: number;
  /** Exclusive, epoch ms: 00:00:00.000 UTC of the next day, when the quota resets. */
  readonly end: number;
}

const DAY_MS = 86_400_000;

export function quotaWindow(now: number): QuotaWindow {
  if (!Number.isFinite(now)) throw new Error(`quotaWindow: now must be a finite epoch-ms time, got ${now}`);
  // UTC days are exactly 86,400,000 ms long in epoch time (no leap seconds), so flooring is exact.
  const start = Math.floor(now / DAY_MS) * DAY_MS;
  return { start, end: start + DAY_MS };
}

/** Whole seconds until the window ends, at least 1 (the value of a Retry-After header). */
export function secondsUntilReset(window: QuotaWindow, now: number): number {
  return Math.max(1, Math.ceil((window.end - now) / 1000));
}
