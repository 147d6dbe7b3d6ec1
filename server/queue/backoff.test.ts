import { describe, expect, it } from 'vitest';
import { DEFAULT_BACKOFF, retryDelayMs, seededRandom } from './backoff.js';

describe('retry backoff', () => {
  it('doubles from the base and stops at the cap', () => {
    const policy = { baseMs: 1000, capMs: 10_000, jitter: 0, random: () => 0.99 };
    expect([1, 2, 3, 4, 5, 6, 60, 2000].map((a) => retryDelayMs(a, policy))).toEqual([1000, 2000, 4000, 8000, 10_000, 10_000, 10_000, 10_000]);
  });

  it('takes off up to `jitter` of the delay', () => {
    const policy = { baseMs: 1000, capMs: 10_000, jitter: 0.5 };
    expect(retryDelayMs(3, { ...policy, random: () => 0 })).toBe(4000);
    expect(retryDelayMs(3, { ...policy, random: () => 0.5 })).toBe(3000);
    expect(retryDelayMs(3, { ...policy, random: () => 0.999_999 })).toBe(2000);
  });

  it('has documented defaults: 30 s base, 15 min cap, half jitter', () => {
    expect({ ...DEFAULT_BACKOFF, random: undefined }).toEqual({ baseMs: 30_000, capMs: 900_000, jitter: 0.5, random: undefined });
  });

  it('refuses a nonsense attempt or jitter', () => {
    expect(() => retryDelayMs(0)).toThrow(/attempt/);
    expect(() => retryDelayMs(1, { ...DEFAULT_BACKOFF, jitter: 2 })).toThrow(/jitter/);
  });

  it('repeats a seeded sequence, uniform enough over [0, 1)', () => {
    const a = seededRandom(7);
    const b = seededRandom(7);
    const xs = Array.from({ length: 10_000 }, () => a());
    expect(Array.from({ length: 10_000 }, () => b())).toEqual(xs);
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.02);
  });
});
