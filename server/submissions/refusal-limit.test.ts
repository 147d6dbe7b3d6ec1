import { describe, expect, it } from 'vitest';
import { LpcvError } from '../../errors/lpcv-error.js';
import { errorOf } from '../../test/testing/lpcv-errors.js';
import { RefusalLimiter } from './refusal-limit.js';

const refused = new LpcvError('LPCV_E_MODEL_NOT_ONNX', 'x');

describe('RefusalLimiter', () => {
  it("counts only the submission's faults, per team, within the window", () => {
    const limit = new RefusalLimiter({ max: 2, windowMs: 10_000 });
    limit.record(1, new LpcvError('LPCV_E_QUOTA_EXCEEDED', 'x'), 0);
    limit.record(1, new LpcvError('LPCV_E_SERVER_BUSY', 'x'), 0);
    limit.record(1, new Error('not coded'), 0);
    limit.record(1, refused, 1_000);
    limit.check(1, 1_500);
    limit.record(1, refused, 2_000);
    limit.check(2, 2_500);
    const e = errorOf(() => limit.check(1, 2_500));
    // The first refusal (at 1 s) leaves the window at 11 s: 8.5 s from now, rounded up.
    expect(e).toMatchObject({ code: 'LPCV_E_RATE_LIMITED', detail: { retryAfterSeconds: 9, refused: 2, max: 2 } });
    expect(() => limit.check(1, 11_001)).not.toThrow();
  });

  it('is off with max 0, and refuses settings that are not whole numbers in range', () => {
    const off = new RefusalLimiter({ max: 0, windowMs: 1_000 });
    for (let i = 0; i < 100; i++) off.record(1, refused, i);
    expect(() => off.check(1, 100)).not.toThrow();
    for (const c of [
      { max: -1, windowMs: 1_000 },
      { max: 1.5, windowMs: 1_000 },
      { max: 1, windowMs: 999 },
      { max: 1, windowMs: Number.NaN },
    ]) {
      expect(errorOf(() => new RefusalLimiter(c)).code, JSON.stringify(c)).toBe('LPCV_E_USAGE');
    }
  });
});
