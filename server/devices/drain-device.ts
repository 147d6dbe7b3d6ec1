import { LpcvError } from '../../errors/lpcv-error.js';
import { withWriteTransaction, type Db } from '../db/index.js';
import { settleDeviceState, type DeviceState } from './device-state.js';

/** The device id of an admin route's path, else LPCV_E_DEVICE_ID_UNKNOWN (no such device either way). */
export function parseDeviceId(text: string): number {
  const id = /^[1-9]\d{0,9}$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(id)) throw new LpcvError('LPCV_E_DEVICE_ID_UNKNOWN', `${JSON.stringify(text)} is not a device id`);
  return id;
}

export interface DrainChange {
  readonly deviceId: number;
  readonly state: DeviceState;
  /** When it was drained (the first drain's time: draining again keeps it), or null after an undrain. */
  readonly drainedAt: number | null;
  readonly drainedBy: string | null;
}

/**
 * An admin's drain: the device finishes the job it holds and leases nothing new until undrained. It stays
 * drained across restarts and silences (an offline drained device comes back `draining`). Draining a
 * drained device changes nothing. LPCV_E_DEVICE_ID_UNKNOWN for an unknown id.
 */
export async function drainDevice(db: Db, deviceId: number, by: string, now: number): Promise<DrainChange> {
  return withWriteTransaction(db, async (tx) => {
    await tx('devices').where('id', deviceId).whereNull('drained_at').update({ drained_at: now, drained_by: by });
    return changeOf(tx, deviceId);
  });
}

/** Undoes a drain: the device leases again (idle or busy; an offline one stays offline until it is heard from). */
export async function undrainDevice(db: Db, deviceId: number): Promise<DrainChange> {
  return withWriteTransaction(db, async (tx) => {
    await tx('devices').where('id', deviceId).update({ drained_at: null, drained_by: null });
    return changeOf(tx, deviceId);
  });
}

async function changeOf(tx: Db, deviceId: number): Promise<DrainChange> {
  const state = await settleDeviceState(tx, deviceId, null);
  if (state === undefined) throw new LpcvError('LPCV_E_DEVICE_ID_UNKNOWN', `there is no device ${deviceId}`);
  const row = (await tx('devices').where('id', deviceId).first('drained_at', 'drained_by')) as { drained_at: number | null; drained_by: string | null };
  return { deviceId, state, drainedAt: row.drained_at, drainedBy: row.drained_by };
}
