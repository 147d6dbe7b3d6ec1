import { z } from 'zod';
import { leaseTokenSchema } from './lease.js';
import { runLogsSchema } from './run-logs.js';

/**
 * POST /api/agent/jobs/:id/fail: the job ended without a measurement, by the submission's fault (it fails at
 * once) or the infrastructure's (queued again after a backoff). `code` is an LPCV_E_... code; `logs` the
 * run's output tails when it got as far as running something (optional: older agents send none).
 */
export const failRequestSchema = z.strictObject({
  leaseToken: leaseTokenSchema,
  fault: z.enum(['submission', 'infrastructure']),
  code: z.string().regex(/^LPCV_E_[A-Z0-9_]{1,60}$/, 'expected an error code LPCV_E_...'),
  message: z.string().min(1).max(100_000),
  logs: runLogsSchema.optional(),
});
export type FailRequest = z.infer<typeof failRequestSchema>;

/** The failure's 200 answer: the job's state after it (`failed`, `queued` or `dead`). */
export interface FailAnswer {
  readonly state: string;
}
