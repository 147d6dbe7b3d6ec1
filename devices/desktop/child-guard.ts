/**
 * What keeps an inference or profiling child from outliving the harness, armed in one call for every such child:
 * its group's watchdog (group-watchdog.ts: killed when the harness dies) and its record for the next agent
 * (child-records.ts: killed at the agent's next start if the watchdog died too). Both are let go when the
 * child exits.
 */
import type { ChildProcess } from 'node:child_process';
import { recordChild } from './child-records.js';
import { watchGroup } from './group-watchdog.js';

/** Guards `child` (a process-group leader: spawned detached); answers its watchdog's pid (for tests). */
export function guardChild(child: ChildProcess): { readonly watchdogPid: number | undefined } {
  if (child.pid === undefined) return { watchdogPid: undefined };
  const watchdog = watchGroup(child.pid);
  const unrecord = recordChild(child.pid);
  child.once('exit', () => {
    watchdog.release();
    unrecord();
  });
  return { watchdogPid: watchdog.pid };
}
