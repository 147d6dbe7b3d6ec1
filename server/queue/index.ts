/**
 * The durable job queue. THE ONLY CODE THAT WRITES JOB STATE: every change to `jobs.state`, the lease
 * columns, `queue_teams` and `job_events` goes through one of the functions exported here, each a short
 * transaction that also writes the change's job_events row. Nothing else in the codebase may insert into
 * or update those tables (reading them is fine). Time is always passed in (`now`, epoch ms); nothing here
 * reads the clock. States, rules and the exactly-once argument: docs/queue.md.
 */
export { DEFAULT_BACKOFF, retryDelayMs, seededRandom, type BackoffPolicy } from './backoff.js';
export { completeJob, type CompleteArgs, type JobChange } from './complete-job.js';
export { DEFAULT_MAX_ATTEMPTS, enqueueJob, type EnqueueArgs } from './enqueue-job.js';
export { enqueueReferenceJob, type EnqueueReferenceArgs } from './enqueue-reference-job.js';
export { MAX_ERROR_MESSAGE_CHARS, failJob, type FailArgs } from './fail-job.js';
export { getJob } from './get-job.js';
export { heartbeatJob, type HeartbeatArgs, type HeartbeatResult, type JobProgress } from './heartbeat-job.js';
export { getJobEvents, type JobEvent } from './job-events.js';
export { LEASE_LOST, type Job, type JobFault, type JobState, type LeaseLost } from './job.js';
export { leaseJob, type LeaseArgs, type LeasedJob } from './lease-job.js';
export { leaseLostError } from './lease-lost-error.js';
export { queuePosition } from './queue-position.js';
export { LEASE_EXPIRED_CODE, reclaimExpiredLeases } from './reclaim-expired-leases.js';
