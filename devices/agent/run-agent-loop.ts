import { LpcvError } from '../../errors/lpcv-error.js';
import { DEFAULT_LEASE_MS, parseLeaseAnswer, registeredDeviceId, type DeviceRequest, type LeaseRequest } from '../../harness/wire/index.js';
import { AgentClient, ServerAwayError } from './agent-client.js';
import type { AgentLog } from './agent-log.js';
import { VerifiedFiles } from './download-cached.js';
import { runLeasedJob, type LeasedJobContext } from './run-leased-job.js';
import { backoffMs, sleep } from './sleep.js';
import type { Target } from '../targets/target.js';

/** A drained device asks for a lease this many times less often. */
const DRAINED_POLL_FACTOR = 5;

export interface AgentLoopOptions {
  /** e.g. http://127.0.0.1:8080 */
  readonly serverUrl: string;
  /** An agent token (`lpcv_agent_...`). */
  readonly token: string;
  /** The device: its name (1-100 letters, digits, `. _ : -`: docs/api.md, "Devices"), kind and driver. */
  readonly device: Target;
  /** Downloaded artifacts and input packs, by sha256. */
  readonly cacheDir: string;
  /** Abort to stop: no new lease; the running job gets `graceMs` to finish, else it is given back. */
  readonly signal: AbortSignal;
  readonly log: AgentLog;
  /** Wait between leases when there is no job (default 1,000 ms). */
  readonly pollMs?: number;
  /** Lease length asked for (default 60,000 ms); heartbeats every third of it. */
  readonly leaseMs?: number;
  /** How long a running job may still take after the stop (default 30,000 ms). */
  readonly graceMs?: number;
  /** Reconnect backoff while the server is away: from `retryBaseMs` (500) doubling up to `retryMaxMs` (30,000). */
  readonly retryBaseMs?: number;
  readonly retryMaxMs?: number;
  /** The clock (epoch ms). */
  readonly now?: () => number;
  /** The measuring step (default: the desktop ONNX target); tests pass a stand-in. */
  readonly measure?: LeasedJobContext['measure'];
  /** A heartbeat with new progress goes out at most this often (default 2,000 ms). */
  readonly progressEveryMs?: number;
  /** The device passed its probe already (runAgent probes every device at start-up): register it at once. */
  readonly probed?: boolean;
}

/**
 * A device agent (docs/api.md, "Agent API"): registers its device, then leases jobs one at a time and runs
 * each (runLeasedJob) until `signal` aborts. While the server is away (fetch errors, 502-504) it waits
 * with capped exponential backoff and tries again; the device is registered again after such a gap.
 * Resolves once stopped; rejects only when the server refuses the token (401), which no retry mends.
 */
export async function runAgentLoop(o: AgentLoopOptions): Promise<void> {
  const client = new AgentClient(o.serverUrl, o.token);
  const pollMs = o.pollMs ?? 1_000;
  const leaseMs = o.leaseMs ?? DEFAULT_LEASE_MS;
  const now = o.now ?? Date.now;
  let deviceId: number | undefined;
  let probed = o.probed ?? false;
  let wasDraining = false;
  let failures = 0;
  // The cache files verified by this loop: a job's model, reference and inputs are hashed once, not per job.
  const verified = new VerifiedFiles();
  while (!o.signal.aborted) {
    try {
      if (deviceId === undefined) {
        if (!probed) {
          // A device that is not there (board off, phone unplugged) is not registered: the server would
          // lease it jobs that could only fail. It is probed again with the same backoff.
          const info = await o.device.probe(o.signal);
          probed = true;
          o.log(`device ${o.device.name}: ${info.kind} ${info.device}, ${info.runtime}, ${info.cpu}`);
        }
        const answer = await client.json('POST', '/api/agent/devices', {
          name: o.device.name,
          kind: o.device.kind,
          capabilities: o.device.capabilities(),
        } satisfies DeviceRequest);
        deviceId = registeredDeviceId(answer.body);
        o.log(`device ${o.device.name} registered as ${deviceId} at ${o.serverUrl}`);
      }
      if (failures > 0) o.log(`the server is back after ${failures} failed attempt(s)`);
      failures = 0;
      if (o.signal.aborted) break;
      const answer = await client.json('POST', '/api/agent/lease', { deviceId, leaseMs } satisfies LeaseRequest, [204]);
      const draining = answer.deviceState === 'draining';
      if (draining !== wasDraining) {
        o.log(draining ? `device ${o.device.name} is drained by an admin: no new jobs until it is undrained` : `device ${o.device.name} is no longer drained`);
        wasDraining = draining;
      }
      if (answer.status === 204) {
        // A drained device asks less often: it will stay drained for a while.
        await sleep(draining ? pollMs * DRAINED_POLL_FACTOR : pollMs, o.signal);
        continue;
      }
      await runLeasedJob({
        client,
        target: o.device,
        lease: parseLeaseAnswer(answer.body),
        cacheDir: o.cacheDir,
        log: o.log,
        leaseMs,
        stop: o.signal,
        graceMs: o.graceMs ?? 30_000,
        now,
        verified,
        ...(o.measure ? { measure: o.measure } : {}),
        ...(o.progressEveryMs !== undefined ? { progressEveryMs: o.progressEveryMs } : {}),
      });
    } catch (e) {
      if (e instanceof LpcvError && e.code === 'LPCV_E_UNAUTHORIZED') throw e;
      if (e instanceof LpcvError && e.code === 'LPCV_E_DEVICE_UNKNOWN') {
        deviceId = undefined;
        continue;
      }
      if (e instanceof ServerAwayError) deviceId = undefined;
      if (e instanceof LpcvError && e.code === 'LPCV_E_DEVICE_BUSY') {
        // The server still counts an earlier job as this device's (an agent restarted mid-job): it is
        // ours no more, and the server's reaper frees the device once that lease expires.
        o.log(`device ${o.device.name}: ${e.message}; waiting for the server to reclaim that lease`);
        await sleep(Math.max(pollMs, 1_000), o.signal);
        continue;
      }
      const wait = backoffMs(failures, o.retryBaseMs ?? 500, o.retryMaxMs ?? 30_000);
      failures += 1;
      o.log(`${e instanceof Error ? e.message.split('\n')[0] : String(e)}; retrying in ${wait} ms`);
      await sleep(wait, o.signal);
    }
  }
  o.log(`device ${o.device.name} stopped`);
}
