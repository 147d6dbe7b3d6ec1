import { z } from 'zod';
import { leaseMsSchema, leaseTokenSchema } from './lease.js';

/** What a device says of a running job with its heartbeat (the status page shows it). */
export const progressSchema = z.strictObject({
  phase: z.string().regex(/^[a-z][a-z0-9-]{0,31}$/, 'expected a phase name: 1-32 lowercase letters, digits and -'),
  fraction: z.number().min(0).max(1),
  done: z.number().int().nonnegative().optional(),
  total: z.number().int().nonnegative().optional(),
});
export type Progress = z.infer<typeof progressSchema>;

/** POST /api/agent/jobs/:id/heartbeat: the lease renewed for `leaseMs` (default DEFAULT_LEASE_MS). */
export const heartbeatRequestSchema = z.strictObject({ leaseToken: leaseTokenSchema, leaseMs: leaseMsSchema.optional(), progress: progressSchema.optional() });
export type HeartbeatRequest = z.infer<typeof heartbeatRequestSchema>;

/** The heartbeat's 200 answer: the lease's new end (epoch ms). */
export interface HeartbeatAnswer {
  readonly leaseExpiresAt: number;
}

/** How far a run is, as the device counts it (any fraction, counts as they come). */
export interface RunProgress {
  readonly phase: string;
  readonly fraction: number;
  readonly done?: number;
  readonly total?: number;
}

/** The agent's side: a heartbeat, its progress as the schema takes it (a fraction in [0, 1] to 4 places, whole counts). */
export function heartbeatRequest(leaseToken: string, leaseMs: number, progress?: RunProgress): HeartbeatRequest {
  return { leaseToken, leaseMs, ...(progress ? { progress: wireProgress(progress) } : {}) };
}

function wireProgress(p: RunProgress): Progress {
  const fraction = Math.min(1, Math.max(0, Math.round(p.fraction * 10_000) / 10_000));
  const whole = (n: number | undefined): number | undefined => (n !== undefined && Number.isFinite(n) && n >= 0 ? Math.floor(n) : undefined);
  const done = whole(p.done);
  const total = whole(p.total);
  return { phase: p.phase, fraction, ...(done !== undefined ? { done } : {}), ...(total !== undefined ? { total } : {}) };
}

/** The agent's side: the lease's new end from a heartbeat's answer, when it says one. */
export function leaseExpiresAtOf(answer: unknown): number | undefined {
  const until = typeof answer === 'object' && answer !== null ? (answer as { leaseExpiresAt?: unknown }).leaseExpiresAt : undefined;
  return typeof until === 'number' ? until : undefined;
}
