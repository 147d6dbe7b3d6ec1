import { z } from 'zod';
import { LpcvError } from '../../errors/lpcv-error.js';
import { describeIssues } from '../../harness/schema-issues.js';

/** The small JSON bodies of the agent API (docs/api.md, "Agent API"); the completion's is server/scoring's. */

/** The small bodies' limit: the app's JSON_BODY_LIMIT_BYTES (256 KiB). */
export const AGENT_JSON_LIMIT_BYTES = 256 * 1024;
/**
 * A completion carries every image's predictions (8,000 top-5 lists: about 200 KB; label maps far more).
 */
export const COMPLETION_JSON_LIMIT_BYTES = 256 * 1024 * 1024;

/** A lease lasts this long when the agent does not say; agents heartbeat well within it. */
export const DEFAULT_LEASE_MS = 60_000;
export const MIN_LEASE_MS = 1_000;
export const MAX_LEASE_MS = 60 * 60_000;

const leaseMs = z.number().int().min(MIN_LEASE_MS).max(MAX_LEASE_MS).optional();
const leaseToken = z.string().min(1).max(200);
/** Device names: what agent names allow, plus ':' (no '/'), at most 100 characters. */
const deviceName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$/, 'expected 1-100 letters, digits, . _ : - (starting with a letter or digit)');
const targetKind = z.string().regex(/^[a-z0-9][a-z0-9-]{0,49}$/, 'expected a target kind: 1-50 lowercase letters, digits and -');

export const deviceBody = z.strictObject({
  name: deviceName,
  kind: targetKind,
  capabilities: z.record(z.string(), z.unknown()).optional(),
});

export const leaseBody = z.strictObject({ deviceId: z.number().int().positive(), leaseMs });

/** What a device says of a running job with its heartbeat (the status page shows it). */
const progress = z.strictObject({
  phase: z.string().regex(/^[a-z][a-z0-9-]{0,31}$/, 'expected a phase name: 1-32 lowercase letters, digits and -'),
  fraction: z.number().min(0).max(1),
  done: z.number().int().nonnegative().optional(),
  total: z.number().int().nonnegative().optional(),
});

export const heartbeatBody = z.strictObject({ leaseToken, leaseMs, progress: progress.optional() });

export const failBody = z.strictObject({
  leaseToken,
  fault: z.enum(['submission', 'infrastructure']),
  code: z.string().regex(/^LPCV_E_[A-Z0-9_]{1,60}$/, 'expected an error code LPCV_E_...'),
  message: z.string().min(1).max(100_000),
});

/** The body, or LPCV_E_AGENT_REQUEST naming the key. */
export function parseAgentBody<S extends z.ZodType>(schema: S, body: unknown): z.infer<S> {
  const parsed = schema.safeParse(body ?? {});
  if (!parsed.success) {
    throw new LpcvError('LPCV_E_AGENT_REQUEST', `the request body is invalid: ${describeIssues(parsed.error.issues, { topLevel: '(body)' })}`);
  }
  return parsed.data;
}

/** A job id path parameter, or LPCV_E_AGENT_REQUEST. */
export function parseJobId(text: string): number {
  if (!/^[1-9][0-9]{0,14}$/.test(text)) throw new LpcvError('LPCV_E_AGENT_REQUEST', `job id ${JSON.stringify(text)} is not a positive whole number`);
  return Number(text);
}
