import type { z } from 'zod';
import { LpcvError } from '../../errors/lpcv-error.js';
import { describeIssues } from '../../harness/schema-issues.js';

/**
 * The server's side of reading agent requests: body size limits and the coded refusal of a bad body or path
 * parameter. The bodies' schemas are the wire module's (harness/wire/), which the agents use too.
 */

/** The small bodies' limit: the app's JSON_BODY_LIMIT_BYTES (256 KiB). */
export const AGENT_JSON_LIMIT_BYTES = 256 * 1024;
/**
 * A completion carries every image's predictions (8,000 top-5 lists: about 200 KB; label maps far more).
 */
export const COMPLETION_JSON_LIMIT_BYTES = 256 * 1024 * 1024;

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
