import { withWriteTransaction, type Db } from '../db/index.js';
import { enqueueJob, type EnqueueArgs } from './enqueue-job.js';
import { toJob, type Job, type JobRow } from './job.js';

export interface EnqueueReferenceArgs extends EnqueueArgs {
  /** The only device that may lease the job (jobs.pinned_device_id). */
  readonly pinnedDeviceId: number;
}

/**
 * Queues a job that only one device may lease: a reference run (server/devices, docs/devices.md). The
 * job is enqueueJob's, pinned in the same transaction, so no other device ever sees it unpinned. leaseJob
 * offers it only to a lease that names this device.
 */
export async function enqueueReferenceJob(db: Db, args: EnqueueReferenceArgs, now: number): Promise<Job> {
  if (!(Number.isInteger(args.pinnedDeviceId) && args.pinnedDeviceId > 0))
    throw new Error(`enqueueReferenceJob: pinnedDeviceId must be a device id, got ${args.pinnedDeviceId}`);
  return withWriteTransaction(db, async (tx) => {
    const { pinnedDeviceId, ...job } = args;
    const queued = await enqueueJob(tx, job, now);
    const [row] = (await tx('jobs').where('id', queued.id).update({ pinned_device_id: pinnedDeviceId }).returning('*')) as JobRow[];
    return toJob(row);
  });
}
