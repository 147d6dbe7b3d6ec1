import type { Db } from '../db/index.js';
import { reclaimExpiredLeases, type Job } from '../queue/index.js';
import type { Logger } from '../log/server-logger.js';
import type { ServerMetrics } from '../metrics/server-metrics.js';

export interface Reaper {
  /** Stops the timer and waits for a reclaim in progress. */
  stop(): Promise<void>;
}

/**
 * Returns expired leases to the queue (reclaimExpiredLeases) every `everyMs`, one pass at a time, the
 * first at once (leases a crashed server left behind), then runs `afterReclaim` with the same clock reading
 * (the device sweeps, server/devices). Errors are logged; the next pass tries again.
 */
export function startReaper(o: {
  db: Db;
  now: () => number;
  everyMs: number;
  /** The server's log: a line per reclaimed job, with its id, and the passes' errors. */
  logger: Logger;
  /** Counts each lease expiry, and each reclaimed job's retry or end (server/metrics). */
  metrics?: ServerMetrics;
  afterReclaim?: (now: number) => Promise<void>;
  /** The jobs a pass reclaimed (queued again, or dead), before afterReclaim: e.g. to announce the dead ones. */
  onReclaimed?: (jobs: readonly Job[]) => Promise<void>;
}): Reaper {
  let running: Promise<void> = Promise.resolve();
  let busy = false;
  const pass = (): void => {
    if (busy) return;
    busy = true;
    const now = o.now();
    running = reclaimExpiredLeases(o.db, now)
      .then(async (jobs) => {
        o.metrics?.reclaimed(jobs);
        for (const j of jobs) {
          const line = `job ${j.id}'s lease expired; it is ${j.state === 'dead' ? 'dead (no attempts left)' : 'queued again'}`;
          o.logger.warn({ jobId: j.id }, line);
        }
        if (jobs.length > 0) await o.onReclaimed?.(jobs);
      })
      .catch((e: unknown) => o.logger.error({ err: e }, 'reclaiming expired leases failed'))
      .then(() => o.afterReclaim?.(now))
      .catch((e: unknown) => o.logger.error({ err: e }, 'the device sweep failed'))
      .finally(() => {
        busy = false;
      });
  };
  pass();
  const timer = setInterval(pass, o.everyMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
