import { describe, expect, it } from 'vitest';
import { LpcvError } from '../../errors/lpcv-error.js';
import { retryAfterOf } from '../../errors/retry-after.js';
import { DEFAULT_QUOTA, quotaExceededError, quotaLimitFor, quotaWindow, secondsUntilReset, validateQuotaConfig } from './index.js';

const DAY0 = Date.UTC(2027, 0, 15);

describe('the quota window', () => {
  it('is the UTC day of now: from 00:00:00.000 inclusive to the next 00:00:00.000 exclusive', () => {
    expect(quotaWindow(DAY0)).toEqual({ start: DAY0, end: DAY0 + 86_400_000 });
    expect(quotaWindow(DAY0 + 86_399_999)).toEqual({ start: DAY0, end: DAY0 + 86_400_000 });
    expect(quotaWindow(DAY0 - 1)).toEqual({ start: DAY0 - 86_400_000, end: DAY0 });
    expect(new Date(quotaWindow(Date.UTC(2028, 1, 29, 23, 30)).end).toISOString()).toBe('2028-03-01T00:00:00.000Z');
    expect(() => quotaWindow(Number.NaN)).toThrow(/finite/);
  });

  it('tells whole seconds until the reset, at least 1', () => {
    const w = quotaWindow(DAY0);
    expect(secondsUntilReset(w, DAY0)).toBe(86_400);
    expect(secondsUntilReset(w, w.end - 1_001)).toBe(2);
    expect(secondsUntilReset(w, w.end - 1)).toBe(1);
    expect(secondsUntilReset(w, w.end)).toBe(1);
  });
});

describe('the quota config', () => {
  it('defaults to 5 a day, takes per-track overrides, 0 meaning unlimited', () => {
    expect(quotaLimitFor(DEFAULT_QUOTA, 'fashion-mnist')).toBe(5);
    const config = { perDay: 3, perTrack: { big: 10, open: 0 } };
    expect(quotaLimitFor(config, 'fashion-mnist')).toBe(3);
    expect(quotaLimitFor(config, 'big')).toBe(10);
    expect(quotaLimitFor(config, 'open')).toBe(0);
    expect(quotaLimitFor(config, 'toString')).toBe(3);
  });

  it('refuses limits that are not whole numbers >= 0', () => {
    expect(() => validateQuotaConfig({ perDay: -1 })).toThrow(/perDay/);
    expect(() => validateQuotaConfig({ perDay: 2.5 })).toThrow(/perDay/);
    expect(() => validateQuotaConfig({ perDay: 5, perTrack: { x: Number.NaN } })).toThrow(/perTrack\["x"\]/);
    expect(validateQuotaConfig({ perDay: 0, perTrack: { x: 2 } })).toEqual({ perDay: 0, perTrack: { x: 2 } });
  });
});

describe('the refusal', () => {
  it('says the limit, the count and the reset time, with a 429 code and the Retry-After seconds', () => {
    const now = DAY0 + 10 * 3_600_000;
    const e = quotaExceededError({ track: 'fashion-mnist' }, 5, 5, quotaWindow(now), now);
    expect(e).toBeInstanceOf(LpcvError);
    expect(e.httpStatus).toBe(429);
    expect(e.message).toBe('the daily quota for track fashion-mnist is used up: 5 of 5 submissions today (UTC); it resets at 2027-01-16T00:00:00.000Z');
    expect(retryAfterOf(e)).toBe(14 * 3600);
  });
});
