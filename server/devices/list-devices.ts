import type { Db } from '../db/index.js';
import { listLeasedJobs } from '../queue/index.js';
import { deviceDrift, type DeviceDrift, type ReferenceResult } from './device-drift.js';
import type { DeviceState } from './device-state.js';
import { leasedByDevice } from './lease-holder.js';

export interface DeviceJob {
  readonly id: number;
  readonly submissionId: string;
  readonly track: string;
  readonly leaseExpiresAt: number | null;
  /** A reference run (pinned to this device), not a team's submission. */
  readonly reference: boolean;
}

/** A device as the admin page and GET /api/admin/devices show it. Times are epoch ms. */
export interface DeviceHealth {
  readonly id: number;
  readonly name: string;
  readonly kind: string;
  readonly agent: string;
  readonly state: DeviceState;
  readonly lastSeenAt: number;
  readonly drainedAt: number | null;
  readonly drainedBy: string | null;
  readonly capabilities: Record<string, unknown>;
  readonly currentJob: DeviceJob | null;
  /** Null until a reference run finished on the device. */
  readonly drift: DeviceDrift | null;
}

interface Row {
  id: number;
  name: string;
  kind: string;
  agent: string;
  state: DeviceState;
  last_seen_at: number;
  drained_at: number | null;
  drained_by: string | null;
  capabilities_json: string;
}

function parseObject(text: string): Record<string, unknown> {
  try {
    const v = JSON.parse(text) as unknown;
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** Every registered device, by agent then name, with the job it holds and its drift. */
export async function listDevices(db: Db, driftPct: number): Promise<DeviceHealth[]> {
  const rows = (await db('devices as d')
    .join('agents as a', 'a.id', 'd.agent_id')
    .orderBy('a.name')
    .orderBy('d.name')
    .select('d.id', 'd.name', 'd.kind', 'a.name as agent', 'd.state', 'd.last_seen_at', 'd.drained_at', 'd.drained_by', 'd.capabilities_json')) as Row[];

  const jobOf = new Map<number, DeviceJob>();
  for (const j of await listLeasedJobs(db)) {
    const deviceId = leasedByDevice(j.leasedBy);
    if (deviceId !== undefined && !jobOf.has(deviceId)) {
      jobOf.set(deviceId, { id: j.id, submissionId: j.submissionId, track: j.track, leaseExpiresAt: j.leaseExpiresAt, reference: j.pinnedDeviceId !== null });
    }
  }

  const finished = (await db('reference_runs')
    .whereNotNull('latency_p50_ms')
    .orderBy('device_id')
    .orderBy('finished_at')
    .orderBy('id')
    .select('device_id', 'track', 'baseline_name', 'sha256', 'latency_p50_ms', 'finished_at')) as Array<{
    device_id: number;
    track: string;
    baseline_name: string;
    sha256: string;
    latency_p50_ms: number | string;
    finished_at: number;
  }>;
  const resultsOf = new Map<number, ReferenceResult[]>();
  for (const r of finished) {
    const list = resultsOf.get(r.device_id) ?? [];
    list.push({ track: r.track, baseline: r.baseline_name, sha256: r.sha256, p50Ms: Number(r.latency_p50_ms), finishedAt: r.finished_at });
    resultsOf.set(r.device_id, list);
  }

  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    kind: r.kind,
    agent: r.agent,
    state: r.state,
    lastSeenAt: r.last_seen_at,
    drainedAt: r.drained_at,
    drainedBy: r.drained_by,
    capabilities: parseObject(r.capabilities_json),
    currentJob: jobOf.get(r.id) ?? null,
    drift: deviceDrift(resultsOf.get(r.id) ?? [], driftPct) ?? null,
  }));
}
