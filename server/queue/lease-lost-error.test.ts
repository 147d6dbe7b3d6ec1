import { describe, expect, it } from 'vitest';
import { leaseLostError } from './lease-lost-error.js';

describe('leaseLostError', () => {
  it('is a 409 with a stable code, blamed on the infrastructure', () => {
    const e = leaseLostError(7);
    expect(e.code).toBe('LPCV_E_LEASE_LOST');
    expect(e.httpStatus).toBe(409);
    expect(e.fault).toBe('infrastructure');
    expect(e.toJSON()).toMatchObject({ code: 'LPCV_E_LEASE_LOST', detail: { jobId: 7 } });
  });
});
