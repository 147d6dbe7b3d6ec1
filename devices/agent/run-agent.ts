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
  const stopAll = new AbortController();
  const signal = AbortSignal.any([o.signal, stopAll.signal]);
  let refused: unknown;
  await Promise.all(
    o.devices.map((device) =>
      runAgentLoop({ ...o, device, signal, log: (line) => o.log(`[${device.name}] ${line}`) }).catch((e: unknown) => {
        refused ??= e;
        stopAll.abort();
      }),
    ),
  );
  await Promise.all(o.devices.map((d) => d.close?.().catch(() => undefined)));
  if (refused !== undefined) throw refused;
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
