/**
 * The `devices` rows (migration 0004): an agent's devices, unique per agent and name. A device's state is
 * derived and kept by server/devices (settleDeviceState, docs/devices.md); which device holds a job is the
 * job's `leased_by` (leasedByDevice).
 */
import { withWriteTransaction, type Db } from '../db/index.js';
import { settleDeviceState, type DeviceState } from './device-state.js';

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
 * of that name: one upsert, so two concurrent registrations cannot make two rows. A registration is a sign
 * of life: an offline device comes back (busy if it still holds a job, draining if drained, else idle).
 */
export async function registerDevice(db: Db, d: DeviceRegistration, now: number): Promise<Device> {
  const capabilities = JSON.stringify(d.capabilities);
  return withWriteTransaction(db, async (tx) => {
    const [row] = (await tx('devices')
      .insert({ agent_id: d.agentId, name: d.name, kind: d.kind, capabilities_json: capabilities, state: 'idle', last_seen_at: now, created_at: now })
      .onConflict(['agent_id', 'name'])
      .merge({ kind: d.kind, capabilities_json: capabilities, last_seen_at: now })
      .returning(['id', 'agent_id', 'name', 'kind', 'state'])) as DeviceRow[];
    const state = await settleDeviceState(tx, row!.id, now);
    return toDevice({ ...row!, state: state ?? row!.state });
  });
}

/** The agent's device with this id, or undefined (no such device, or another agent's). */
export async function findAgentDevice(db: Db, agentId: number, deviceId: number): Promise<Device | undefined> {
  const row = (await db('devices').where({ id: deviceId, agent_id: agentId }).first('id', 'agent_id', 'name', 'kind', 'state')) as DeviceRow | undefined;
  return row === undefined ? undefined : toDevice(row);
}
