/**
 * A device's state (docs/devices.md): `idle`, `busy`, `offline` or `draining`, kept in `devices.state` for
 * the pages and the admin API. It follows from three facts, and every write here derives it from them
 * instead of trusting the old value:
 *
 * - drained (`drained_at` set by an admin): `draining`, whether or not it still runs its last job;
 * - it holds a job (a `jobs` row leased by `device:<id>`): `busy`;
 * - otherwise `idle`;
 *
 * except that a device silent for longer than the server's `offlineAfterMs` is `offline` (the sweep), until
 * its next sign of life (a registration, a lease request, a job's heartbeat, completion or failure).
 */
import type { Db } from '../db/index.js';
import { jobLeasedBy, type Job } from '../queue/index.js';
import { leaseHolder } from './lease-holder.js';

export type DeviceState = 'idle' | 'busy' | 'offline' | 'draining';

/** The job the device holds (state leased), or undefined (read through server/queue, the owner of `jobs`). */
export async function heldJobOf(db: Db, deviceId: number): Promise<Job | undefined> {
  return jobLeasedBy(db, leaseHolder(deviceId));
}

/**
 * Sets the device's state from the facts above. `seenAt`: the time of a sign of life from the device, which
 * becomes its `last_seen_at` and brings an offline device back; null for a change that is not the device's
 * own (an admin's undrain, the sweep), which leaves an offline device offline. Call it inside the transaction
 * of the change it follows (a lease, a completion), so that the state never lags the job.
 */
export async function settleDeviceState(db: Db, deviceId: number, seenAt: number | null): Promise<DeviceState | undefined> {
  const row = (await db('devices').where('id', deviceId).first('state', 'drained_at')) as { state: DeviceState; drained_at: number | null } | undefined;
  if (row === undefined) return undefined;
  let state: DeviceState;
  if (seenAt === null && row.state === 'offline') state = 'offline';
  else if (row.drained_at !== null) state = 'draining';
  else state = (await heldJobOf(db, deviceId)) !== undefined ? 'busy' : 'idle';
  await db('devices')
    .where('id', deviceId)
    .update({ state, ...(seenAt === null ? {} : { last_seen_at: seenAt }) });
  return state;
}
