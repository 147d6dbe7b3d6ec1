import path from 'node:path';
import { readText } from './read-text.js';

/**
 * The CPU time of a process (utime + stime of /proc/<pid>/stat, fields 14 and 15 of proc(5), in USER_HZ
 * ticks: the unit of /proc/stat's per-core counters, so the two subtract). Counts every thread of the process,
 * not its children until they are reaped. null when the process is gone. A process whose CPU time must be
 * known after it exits has to be read before it is reaped (a zombie still has its stat), or report its own
 * (process.cpuUsage(), cpuMicrosToJiffies).
 */
export async function readProcessJiffies(procRoot: string, pid: number | 'self'): Promise<number | null> {
  const text = await readText(path.join(procRoot, String(pid), 'stat'));
  if (text === null) return null;
  // The command name (field 2) is in parentheses and may hold spaces and ')': the fields start after the last ')'.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return Number.isSafeInteger(utime) && Number.isSafeInteger(stime) ? utime + stime : null;
}

/**
 * USER_HZ is 100 on every architecture a board or a desktop here runs (x86, arm, arm64: the kernel's
 * userspace ABI fixes it, whatever its internal HZ), so one jiffy is 10 ms of CPU time.
 */
export const USER_HZ = 100;

/** CPU time in microseconds (process.cpuUsage(): user + system) as whole jiffies. */
export function cpuMicrosToJiffies(micros: number): number {
  return Math.max(0, Math.round((micros * USER_HZ) / 1_000_000));
}

/** A kernel cpu list (`0-3,5`, `7`, as Cpus_allowed_list and taskset -c print it) as sorted core numbers; null when malformed. */
export function parseCpuList(text: string): number[] | null {
  const s = text.trim();
  if (!/^\d+(-\d+)?(,\d+(-\d+)?)*$/.test(s)) return null;
  const cores = new Set<number>();
  for (const part of s.split(',')) {
    const [a, b = a] = part.split('-').map(Number) as [number, number?];
    if (b < a || b - a > 4096) return null;
    for (let c = a; c <= b; c++) cores.add(c);
  }
  return [...cores].sort((x, y) => x - y);
}

/** The cores a process may run on: `Cpus_allowed_list` of /proc/<pid>/status (its affinity); null when unreadable. */
export async function readAllowedCores(procRoot: string, pid: number | 'self'): Promise<number[] | null> {
  const text = await readText(path.join(procRoot, String(pid), 'status'));
  const m = text === null ? null : /^Cpus_allowed_list:\s*(\S+)\s*$/m.exec(text);
  return m ? parseCpuList(m[1]!) : null;
}
