import type { IncomingMessage } from 'node:http';
import type { Job } from '../queue/index.js';
import { logOf } from '../log/request-log.js';
import type { ServerMetrics } from '../metrics/server-metrics.js';

/**
 * After an agent's completion or failure changed a job: its metrics (a retry, or its end and duration) and one
 * log line with the job's id on the request's logger.
 */
export function settled(
  req: IncomingMessage,
  metrics: ServerMetrics | undefined,
  job: Job,
  code: string | null,
  more: { readonly score?: number | null; readonly file?: string | null } = {},
): void {
  const { score, file } = more;
  metrics?.settled(job);
  const what =
    job.state === 'done'
      ? `done${score === undefined || score === null ? '' : `, score ${score}`}`
      : job.state === 'queued'
        ? `failed (${code ?? 'no code'}, ${job.errorFault ?? 'unknown'}'s fault): queued again, attempt ${job.attempts} of ${job.maxAttempts}`
        : `${job.state} (${code ?? 'no code'}, ${job.errorFault ?? 'unknown'}'s fault)`;
  logOf(req)?.[job.state === 'done' ? 'info' : 'warn']({ jobId: job.id }, `job ${job.id} (${job.track}, team ${job.team}${file ? `, ${file}` : ''}) ${what}`);
}
