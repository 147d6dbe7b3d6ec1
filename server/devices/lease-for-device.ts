import { LpcvError } from '../../errors/lpcv-error.js';
import { lockRows, withWriteTransaction, type Db } from '../db/index.js';
import { leaseJob, type LeasedJob } from '../queue/index.js';
import { heldJobOf, settleDeviceState } from './device-state.js';
import { leaseHolder } from './lease-holder.js';

export interface DeviceLeaseArgs {
  readonly deviceId: number;
  readonly kind: string;
  readonly leaseMs: number;
}

/** A job, or why there is none: `draining` (an admin drained the device) or `idle` (nothing queued for it). */
export type DeviceLease = { readonly kind: 'job'; readonly leased: LeasedJob } | { readonly kind: 'none'; readonly state: 'draining' | 'idle' };

/**
 * A device's lease request (POST /api/agent/lease), in one write transaction with the device row locked,
 * so that two requests of one device cannot both lease:
 *
 * - it is a sign of life: `last_seen_at` moves, an offline device comes back;
 * - a device that already holds a job (state leased, whether or not its lease time has passed: until the
 *   reaper reclaims it the job is still the device's, docs/queue.md) is refused, 409 LPCV_E_DEVICE_BUSY:
 *   one job per device at a time;
 * - a drained device gets no job;
 * - else leaseJob for the device's kind, jobs pinned to this device (reference runs) included, and the
 *   device is busy in the same transaction.
 */
export async function leaseForDevice(db: Db, args: DeviceLeaseArgs, now: number): Promise<DeviceLease> {
  const outcome = await withWriteTransaction(db, async (tx) => {
    const device = (await lockRows(tx('devices').where('id', args.deviceId).select('drained_at', 'capabilities_json'), tx.dialect, 'wait').first()) as
      { drained_at: number | null; capabilities_json: string | null } | undefined;
    if (device === undefined) throw new LpcvError('LPCV_E_INTERNAL', `leaseForDevice: no device ${args.deviceId}`);
    const held = await heldJobOf(tx, args.deviceId);
    if (held !== undefined) {
      await settleDeviceState(tx, args.deviceId, now);
      return { kind: 'busy' as const, held };
    }
    if (device.drained_at !== null) {
      await settleDeviceState(tx, args.deviceId, now);
      return { kind: 'none' as const, state: 'draining' as const };
    }
    const formats = declaredFormats(device.capabilities_json);
    const leased = await leaseJob(
      tx,
      { agentId: leaseHolder(args.deviceId), targetKinds: [args.kind], leaseMs: args.leaseMs, deviceId: args.deviceId, ...(formats ? { formats } : {}) },
      now,
    );
    await settleDeviceState(tx, args.deviceId, now);
    return leased === null ? { kind: 'none' as const, state: 'idle' as const } : { kind: 'job' as const, leased };
  });
  if (outcome.kind === 'busy') {
    // Never null while leased (jobs_lease_check).
    const { id, leaseExpiresAt: until } = outcome.held;
    throw new LpcvError(
      'LPCV_E_DEVICE_BUSY',
      `device ${args.deviceId} already holds job ${id} (its lease runs until ${until === null ? 'unknown' : new Date(until).toISOString()}): one job per device at a time; complete or fail it first`,
    );
  }
  return outcome;
}

/** The artifact formats a device registered in its capabilities (`formats: [...]`), when it listed them. */
export function declaredFormats(capabilitiesJson: string | null): string[] | undefined {
  if (capabilitiesJson === null) return undefined;
  try {
    const formats = (JSON.parse(capabilitiesJson) as { formats?: unknown }).formats;
    return Array.isArray(formats) && formats.length > 0 && formats.every((f) => typeof f === 'string') ? formats : undefined;
  } catch {
    return undefined;
  }
}
