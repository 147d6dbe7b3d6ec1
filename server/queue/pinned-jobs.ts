import type { Db } from '../db/index.js';
import { toJob, type Job, type JobRow } from './job.js';

/** A job pinned to this device (a reference run) that is still queued or leased, the oldest; else undefined. */
export async function unfinishedJobPinnedTo(db: Db, deviceId: number): Promise<Job | undefined> {
  const row = (await db('jobs').where('pinned_device_id', deviceId).whereIn('state', ['queued', 'leased']).orderBy('id').first()) as JobRow | undefined;
  return row === undefined ? undefined : toJob(row);
}
