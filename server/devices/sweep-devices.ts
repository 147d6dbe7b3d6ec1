import { withWriteTransaction, type Db } from '../db/index.js';
import { listLeasedJobs } from '../queue/index.js';
import { settleDeviceState, type DeviceState } from './device-state.js';
import { leasedByDevice } from './lease-holder.js';

export interface SweptDevice {
  readonly id: number;
  readonly name: string;
  readonly state: DeviceState;
}

/**
 * The device sweep, run by the server's reaper loop with its clock (docs/devices.md): every device not heard
 * from for longer than `offlineAfterMs` (last_seen_at < now - offlineAfterMs) and not inside a live lease
 * becomes offline, drained or not (the drain is kept and shows again when it is back); and a busy device that no longer holds a job
 * (the reaper took its expired lease back) is settled to idle or draining. Returns the devices it changed.
 */
export async function sweepDevices(db: Db, offlineAfterMs: number, now: number): Promise<SweptDevice[]> {
  return withWriteTransaction(db, async (tx) => {
    // A device inside a live lease is not silent: it heartbeats only every leaseMs/3, which for a long
    // lease is longer than the silence allowed. Once that lease runs out, the silence counts.
    const inLiveLease = (await listLeasedJobs(tx)).flatMap((j) => {
      const deviceId = j.leaseExpiresAt !== null && j.leaseExpiresAt >= now ? leasedByDevice(j.leasedBy) : undefined;
      return deviceId === undefined ? [] : [deviceId];
    });
    const silent = (await tx('devices')
      .whereNot('state', 'offline')
      .andWhere('last_seen_at', '<', now - offlineAfterMs)
      .whereNotIn('id', inLiveLease)
      .update({ state: 'offline' })
      .returning(['id', 'name'])) as Array<{ id: number; name: string }>;
    const changed: SweptDevice[] = silent.map((d) => ({ id: d.id, name: d.name, state: 'offline' }));
    const busy = (await tx('devices').where('state', 'busy').select('id', 'name')) as Array<{ id: number; name: string }>;
    for (const d of busy) {
      const state = await settleDeviceState(tx, d.id, null);
      if (state !== undefined && state !== 'busy') changed.push({ id: d.id, name: d.name, state });
    }
    return changed.sort((a, b) => a.id - b.id);
  });
}
