/**
 * The server's Prometheus metrics (docs/operations.md, "Metrics"), through prom-client, in a registry of the
 * app's own (two apps in one process, as in the tests, never share a counter).
 *
 * Read from the database at each scrape, so they are the whole deployment's whatever process is scraped:
 *   lpcv_jobs{track,state}          jobs by track and state (queue depth: state="queued")
 *   lpcv_devices{kind,state}        registered devices by kind and state (idle, busy, offline, draining)
 * Counted by this process (a deployment of several server processes sums them):
 *   lpcv_http_request_duration_seconds{method,route,status}   by the route's pattern, never its values
 *   lpcv_upload_bytes                                          accepted submissions' file sizes
 *   lpcv_job_queue_wait_seconds{track}                         from enqueue (or retry time) to lease
 *   lpcv_job_duration_seconds{track,outcome}                   from enqueue to done, failed or dead
 *   lpcv_job_retries_total{track,fault}                        failures that put a job back in the queue
 *   lpcv_lease_expiries_total{outcome}                         leases the reaper reclaimed (queued or dead)
 * and, in `lpcv serve`, prom-client's process metrics (CPU, memory, event-loop lag, handles) prefixed `lpcv_`.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Db } from '../db/index.js';
import { countJobsByState, type Job } from '../queue/index.js';

const SECONDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const JOB_SECONDS = [1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600, 4 * 3600, 12 * 3600];
const BYTES = [1e4, 1e5, 1e6, 1e7, 5e7, 1e8, 2.5e8, 5e8, 1e9];

export class ServerMetrics {
  readonly registry = new Registry();
  readonly http = new Histogram({
    name: 'lpcv_http_request_duration_seconds',
    help: 'Time to answer an HTTP request, by method, route pattern and status code',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: SECONDS,
    registers: [this.registry],
  });
  readonly uploadBytes = new Histogram({
    name: 'lpcv_upload_bytes',
    help: "Accepted submissions' file sizes in bytes",
    buckets: BYTES,
    registers: [this.registry],
  });
  readonly queueWait = new Histogram({
    name: 'lpcv_job_queue_wait_seconds',
    help: 'Time from a job becoming runnable (enqueued, or due again after a retry) to its lease',
    labelNames: ['track'] as const,
    buckets: JOB_SECONDS,
    registers: [this.registry],
  });
  readonly jobDuration = new Histogram({
    name: 'lpcv_job_duration_seconds',
    help: 'Time from enqueue to the end of a job (done, failed or dead), by track and outcome',
    labelNames: ['track', 'outcome'] as const,
    buckets: JOB_SECONDS,
    registers: [this.registry],
  });
  readonly retries = new Counter({
    name: 'lpcv_job_retries_total',
    help: 'Failures that put a job back in the queue for another attempt, by track and fault',
    labelNames: ['track', 'fault'] as const,
    registers: [this.registry],
  });
  readonly leaseExpiries = new Counter({
    name: 'lpcv_lease_expiries_total',
    help: 'Expired leases reclaimed by the reaper, by what became of the job (queued again or dead)',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  /** `db`: where the gauges are read at each scrape (null: none). `processMetrics`: prom-client's process metrics. */
  constructor(db: Db | null, o: { processMetrics?: boolean } = {}) {
    if (o.processMetrics === true) collectDefaultMetrics({ register: this.registry, prefix: 'lpcv_' });
    if (db === null) return;
    new Gauge({
      name: 'lpcv_jobs',
      help: 'Jobs by track and state, read from the database at each scrape (state="queued" is the queue depth)',
      labelNames: ['track', 'state'] as const,
      registers: [this.registry],
      async collect() {
        const rows = await countJobsByState(db);
        this.reset();
        for (const r of rows) this.set({ track: r.track, state: r.state }, r.count);
      },
    });
    new Gauge({
      name: 'lpcv_devices',
      help: 'Registered devices by kind and state, read from the database at each scrape',
      labelNames: ['kind', 'state'] as const,
      registers: [this.registry],
      async collect() {
        const rows = (await db('devices').select('kind', 'state').count({ n: '*' }).groupBy('kind', 'state')) as {
          kind: string;
          state: string;
          n: number | string;
        }[];
        this.reset();
        for (const r of rows) this.set({ kind: r.kind, state: r.state }, Number(r.n));
      },
    });
  }

  /** A job just leased at `now`: how long it waited since it became runnable. */
  leased(job: Pick<Job, 'track' | 'runAfter' | 'createdAt'>, now: number): void {
    this.queueWait.observe({ track: job.track }, Math.max(0, now - Math.max(job.createdAt, job.runAfter)) / 1000);
  }

  /** A job's state after a completion or a failure: its end (done, failed, dead) or its retry (queued). */
  settled(job: Pick<Job, 'track' | 'state' | 'createdAt' | 'finishedAt' | 'errorFault'>): void {
    if (job.state === 'queued') this.retries.inc({ track: job.track, fault: job.errorFault ?? 'unknown' });
    else if (job.finishedAt !== null) this.jobDuration.observe({ track: job.track, outcome: job.state }, Math.max(0, job.finishedAt - job.createdAt) / 1000);
  }

  /** Jobs the reaper reclaimed: each lease expiry, and each as a retry or an end. */
  reclaimed(jobs: readonly Job[]): void {
    for (const j of jobs) {
      this.leaseExpiries.inc({ outcome: j.state === 'dead' ? 'dead' : 'queued' });
      this.settled(j);
    }
  }
}
