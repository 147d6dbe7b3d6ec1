import { z } from 'zod';

/**
 * The bounded stdout/stderr tails of a job's run (solution packages, board commands, a crashed inference
 * process), sent beside a completion or a failure so that a participant sees why on the status page. The
 * agent keeps the last 8 KiB of each stream (devices/targets/stream-tail.ts); the server takes at most
 * MAX_LOG_CHARS per stream after decoding, and refuses more with the request's own error code.
 */

/** Characters of one stream's tail the server takes: twice what the agent keeps, so multi-byte text fits. */
export const MAX_LOG_CHARS = 16_384;

export const streamLogSchema = z.strictObject({
  text: z.string().max(MAX_LOG_CHARS),
  /** The stream carried more than `text`: its start was dropped. */
  truncated: z.boolean(),
});
export type StreamLog = z.infer<typeof streamLogSchema>;

/** Either stream may be missing (nothing captured); an empty object is allowed and stores nothing. */
export const runLogsSchema = z.strictObject({ stdout: streamLogSchema.optional(), stderr: streamLogSchema.optional() });
export type RunLogs = z.infer<typeof runLogsSchema>;
