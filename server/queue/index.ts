/**
 * The durable job queue. THE ONLY CODE THAT TOUCHES `jobs`, `queue_teams` and `job_events`: every state
 * change goes through one of the functions exported here, each a short transaction that also writes the
 * change's job_events row, and every read of a job goes through one of the small reads exported here
 * (getJob, getJobs, getLeasedJob, ...). Nothing else in the codebase names those tables. Time is always
 * passed in (`now`, epoch ms); nothing here reads the clock. States, rules and the exactly-once argument:
 * docs/queue.md.
 */
export { DEFAULT_BACKOFF, retryDelayMs, seededRandom, type BackoffPolicy } from './backoff.js';
export { completeJob, type CompleteArgs, type JobChange } from './complete-job.js';
export { countJobsByState, type JobCount } from './count-jobs-by-state.js';
export { countInfrastructureFailures, countSubmissionFailures, countUnchargedJobs } from './count-infrastructure-failures.js';
export { DEFAULT_MAX_ATTEMPTS, enqueueJob, type EnqueueArgs } from './enqueue-job.js';
export { enqueueReferenceJob, type EnqueueReferenceArgs } from './enqueue-reference-job.js';
export { MAX_ERROR_MESSAGE_CHARS, failJob, type FailArgs } from './fail-job.js';
export { getJob } from './get-job.js';
export { getJobs } from './get-jobs.js';
export { getLeasedJob } from './get-leased-job.js';
export { heartbeatJob, type HeartbeatArgs, type HeartbeatResult } from './heartbeat-job.js';
export { getJobEvents, type JobEvent } from './job-events.js';
export { LEASE_LOST, type Job, type JobFault, type JobProgress, type JobState, type LeaseLost } from './job.js';
export { leaseJob, type LeaseArgs, type LeasedJob } from './lease-job.js';
export { leaseLostError } from './lease-lost-error.js';
export { listJobEvents, listJobs, type JobPage } from './list-jobs.js';
export { jobLeasedBy, listLeasedJobs } from './leased-jobs.js';
export { unfinishedJobPinnedTo } from './pinned-jobs.js';
export { queuePosition } from './queue-position.js';
export { LEASE_EXPIRED_CODE, reclaimExpiredLeases } from './reclaim-expired-leases.js';
export { requeueJobs, type RequeueBy, type RequeueResult, type SkippedJob } from './requeue-jobs.js';
