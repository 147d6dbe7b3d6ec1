/**
 * Inference and profiling children left by an agent's earlier life. The group watchdog (group-watchdog.ts)
 * kills a child whose harness dies; if the watchdog itself was killed too (a `kill -9` of every process of
 * the machine's user, say), the child may run on, adopted by PID 1 and burning the core the next job
 * measures on. So each child is also recorded in a folder of the agent's (one small JSON file: its pid and
 * start time, and its owner's), removed when it exits; an agent starting on the same folder kills the group
 * of every recorded child whose owner is gone, then clears the records, before it registers its devices.
 * Start times (field 22 of /proc/<pid>/stat) make sure a recycled pid is never taken for a child or an owner.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

let recordsDir: string | undefined;

/** The start time of `pid` in clock ticks since boot, or undefined when no such process runs (or no /proc). */
export function startTimeOf(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // A zombie has exited: nothing to kill, and its owner, if gone, left nothing running.
    if (fields[0] === 'Z') return undefined;
    return fields[19];
  } catch {
    return undefined;
  }
}

interface ChildRecord {
  readonly pid: number;
  readonly start: string;
  readonly owner: number;
  readonly ownerStart: string;
}

/** From now on, this process records its children in `dir` (created). */
export function recordChildrenIn(dir: string): void {
  mkdirSync(dir, { recursive: true });
  recordsDir = dir;
}

/** Records child `pid` (a process-group leader) while it runs; the answer removes the record. */
export function recordChild(pid: number): () => void {
  const dir = recordsDir;
  const start = startTimeOf(pid);
  const ownerStart = startTimeOf(process.pid);
  if (dir === undefined || start === undefined || ownerStart === undefined) return () => {};
  const file = path.join(dir, `${pid}.json`);
  try {
    writeFileSync(file, JSON.stringify({ pid, start, owner: process.pid, ownerStart } satisfies ChildRecord));
  } catch {
    return () => {};
  }
  return () => rmSync(file, { force: true });
}

/**
 * Kills (SIGKILL, the whole group) every child recorded in `dir` that still runs while its owner does not,
 * removes the records of those and of children already gone, and answers the pids killed. Records of live
 * owners (another agent of this machine, this process) are left alone.
 */
export function killLeftoverChildren(dir: string, log: (line: string) => void = () => {}): number[] {
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => n.endsWith('.json'));
  } catch {
    return [];
  }
  const killed: number[] = [];
  for (const name of names) {
    const file = path.join(dir, name);
    let rec: ChildRecord;
    try {
      rec = JSON.parse(readFileSync(file, 'utf8')) as ChildRecord;
    } catch {
      rmSync(file, { force: true });
      continue;
    }
    if (startTimeOf(rec.owner) === rec.ownerStart) continue;
    if (startTimeOf(rec.pid) === rec.start) {
      try {
        process.kill(-rec.pid, 'SIGKILL');
        killed.push(rec.pid);
        log(`killed process group ${rec.pid}, an inference process left running by an earlier agent (pid ${rec.owner})`);
      } catch {
        // gone meanwhile
      }
    }
    rmSync(file, { force: true });
  }
  return killed;
}
