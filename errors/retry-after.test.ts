import { describe, expect, it } from 'vitest';
import { LpcvError } from './lpcv-error.js';
import { retryAfterOf } from './retry-after.js';

describe('retryAfterOf', () => {
  it('reads the seconds of the refusals that say when to try again, and of no other error', () => {
    expect(retryAfterOf(new LpcvError('LPCV_E_FORM_FIELD', 'x'))).toBeUndefined();
    expect(retryAfterOf(new LpcvError('LPCV_E_FORM_FIELD', 'x', { retryAfterSeconds: 3 }))).toBeUndefined();
    expect(retryAfterOf(new LpcvError('LPCV_E_RATE_LIMITED', 'x', { retryAfterSeconds: 7 }))).toBe(7);
    expect(retryAfterOf(new LpcvError('LPCV_E_SERVER_BUSY', 'x', { retryAfterSeconds: 5 }))).toBe(5);
    expect(retryAfterOf(new Error('x'))).toBeUndefined();
  });
});
