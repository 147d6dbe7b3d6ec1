/**
 * The `devices` rows (migration 0004): an agent's devices, unique per agent and name. A device's state is
 * advisory (for the pages); which device holds a job is the job's `leased_by` (leasedByDevice).
 */
import type { Db } from '../db/index.js';

export type DeviceState = 'idle' | 'busy' | 'offline' | 'draining';

export interface Device {
  readonly id: number;
  readonly agentId: number;
  readonly name: string;
  readonly kind: string;
  readonly state: DeviceState;
}

interface DeviceRow {
  id: number;
  agent_id: number;
  name: string;
  kind: string;
  state: DeviceState;
}

const toDevice = (r: DeviceRow): Device => ({ id: r.id, agentId: r.agent_id, name: r.name, kind: r.kind, state: r.state });

export interface DeviceRegistration {
  readonly agentId: number;
  readonly name: string;
  readonly kind: string;
  readonly capabilities: Record<string, unknown>;
}

/**
 * Registers the device, or refreshes it (kind, capabilities, last_seen_at) when the agent already has one
 * of that name: one upsert, so two concurrent registrations cannot make two rows. An offline device that
 * reports again is idle; a busy or draining one keeps its state.
 */
export async function registerDevice(db: Db, d: DeviceRegistration, now: number): Promise<Device> {
  const capabilities = JSON.stringify(d.capabilities);
  const [row] = (await db('devices')
    .insert({ agent_id: d.agentId, name: d.name, kind: d.kind, capabilities_json: capabilities, state: 'idle', last_seen_at: now, created_at: now })
    .onConflict(['agent_id', 'name'])
    .merge({ kind: d.kind, capabilities_json: capabilities, last_seen_at: now, state: db.raw("CASE WHEN devices.state = 'offline' THEN 'idle' ELSE devices.state END") })
    .returning(['id', 'agent_id', 'name', 'kind', 'state'])) as DeviceRow[];
  return toDevice(row!);
}

/** The agent's device with this id, or undefined (no such device, or another agent's). */
export async function findAgentDevice(db: Db, agentId: number, deviceId: number): Promise<Device | undefined> {
  const row = (await db('devices').where({ id: deviceId, agent_id: agentId }).first('id', 'agent_id', 'name', 'kind', 'state')) as DeviceRow | undefined;
  return row === undefined ? undefined : toDevice(row);
}

export async function setDeviceState(db: Db, deviceId: number, state: DeviceState, now: number): Promise<void> {
  await db('devices').where('id', deviceId).update({ state, last_seen_at: now });
}

/** What a job's `leased_by` says when a device of the agent API leased it. */
export function leaseHolder(deviceId: number): string {
  return `device:${deviceId}`;
}

/** The device id in a job's `leased_by`, or undefined when another kind of leaser (a test, the reaper) wrote it. */
export function leasedByDevice(leasedBy: string | null): number | undefined {
  const m = /^device:(\d+)$/.exec(leasedBy ?? '');
  return m ? Number(m[1]) : undefined;
}
