import path from 'node:path';
import { LpcvError } from '../../errors/lpcv-error.js';
import type { Target } from '../targets/target.js';
import type { AgentLog } from './agent-log.js';
import { runAgentLoop, type AgentLoopOptions } from './run-agent-loop.js';
import { killLeftoverChildren, recordChildrenIn } from '../desktop/child-records.js';

export interface AgentOptions extends Omit<AgentLoopOptions, 'device' | 'signal'> {
  /** The devices this agent serves; names unique. */
  readonly devices: readonly Target[];
  readonly signal: AbortSignal;
  readonly log: AgentLog;
}

/**
 * A device agent with several devices (docs/agents.md): one loop per device (runAgentLoop), each
 * registering its device and leasing one job at a time for it, all under one token and one stop signal.
 * Device logs are prefixed with the device's name. A token the server refuses ends every loop and
 * rejects; otherwise resolves when all have stopped.
 */
export async function runAgent(o: AgentOptions): Promise<void> {
  checkDevices(o.devices);
  // Before any device registers: inference processes an earlier life of this agent left running are killed,
  // and this life's children are recorded where the next one will look (devices/desktop/child-records.ts).
  const children = path.join(o.cacheDir, 'children');
  killLeftoverChildren(children, o.log);
  recordChildrenIn(children);
  const devices = await probeAtStart(o.devices, o.log, o.signal);
  const stopAll = new AbortController();
  const signal = AbortSignal.any([o.signal, stopAll.signal]);
  let refused: unknown;
  await Promise.all(
    devices.map((device) =>
      runAgentLoop({ ...o, device, signal, probed: true, log: (line) => o.log(`[${device.name}] ${line}`) }).catch((e: unknown) => {
        refused ??= e;
        stopAll.abort();
      }),
    ),
  );
  await Promise.all(devices.map((d) => d.close?.().catch(() => undefined)));
  if (refused !== undefined) throw refused;
}

/**
 * The start-up policy (docs/agents.md): every device is probed once at start; one that fails (a board that
 * does not answer, a phone unplugged, AI Hub's client not installed) is reported in one line and skipped, and
 * the others serve. Only when no device is left does the agent stop, with the first device's failure code.
 */
export async function probeAtStart(devices: readonly Target[], log: AgentLog, signal: AbortSignal): Promise<Target[]> {
  const failures: { device: Target; error: unknown }[] = [];
  const serving: Target[] = [];
  await Promise.all(
    devices.map(async (device) => {
      try {
        const info = await device.probe(signal);
        log(`[${device.name}] device ${device.name}: ${info.kind} ${info.device}, ${info.runtime}, ${info.cpu}`);
        serving.push(device);
      } catch (error) {
        failures.push({ device, error });
        log(`[${device.name}] device ${device.name} skipped: it failed its probe at start-up: ${firstLine(error)}`);
        await device.close?.().catch(() => undefined);
      }
    }),
  );
  if (serving.length > 0) return devices.filter((d) => serving.includes(d));
  // Probes finish in any order: the failures are told in the devices' own order, the first device's code first.
  failures.sort((a, b) => devices.indexOf(a.device) - devices.indexOf(b.device));
  const first = failures[0]?.error;
  throw new LpcvError(
    first instanceof LpcvError ? first.code : 'LPCV_E_DEVICE_SPEC',
    `no device is left to serve: ${failures.map((f) => `${f.device.name}: ${firstLine(f.error)}`).join('; ')}`,
  );
}

function firstLine(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).split('\n')[0]!;
}

/** An agent needs at least one device, and unique names (the server keys devices by agent and name). */
export function checkDevices(devices: readonly Target[]): void {
  if (devices.length === 0) throw new LpcvError('LPCV_E_DEVICE_SPEC', 'the agent has no devices');
  const seen = new Set<string>();
  for (const d of devices) {
    if (seen.has(d.name)) throw new LpcvError('LPCV_E_DEVICE_SPEC', `two devices are named ${JSON.stringify(d.name)}: give each a name=`);
    seen.add(d.name);
  }
}
