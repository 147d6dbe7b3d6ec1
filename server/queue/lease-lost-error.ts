import { LpcvError } from '../../errors/lpcv-error.js';

/** What the HTTP layer raises for a `{ ok: false, reason: 'lease-lost' }`: 409, LPCV_E_LEASE_LOST. */
export function leaseLostError(jobId: number): LpcvError {
  return new LpcvError(
    'LPCV_E_LEASE_LOST',
    `job ${jobId}: the lease is no longer held (stale or wrong token, job finished, or lease expired and reclaimed); stop working on it`,
    { jobId },
  );
}
