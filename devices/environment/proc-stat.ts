import path from 'node:path';
import { readText } from './read-text.js';

/** One core's cumulative time from /proc/stat, in USER_HZ ticks (jiffies, 100 a second on Linux). */
export interface CoreJiffies {
  core: number;
  busyJiffies: number;
  totalJiffies: number;
}

/**
 * The `cpuN` lines of /proc/stat (proc(5)): user nice system idle iowait irq softirq steal guest guest_nice.
 *
 * busy = user + nice + system + irq + softirq + steal. Steal is time the hypervisor gave this virtual core to
 * someone else: the run could not use the core then, which is a disturbance as real as another process.
 * total = busy + idle + iowait. iowait is idle time (the core had nothing to run while a task waited for I/O)
 * and is part of the elapsed time; counting it as busy would blame a disk wait on the core's neighbours.
 * guest and guest_nice are not added: the kernel already counts them in user and nice (account_guest_time),
 * so adding them would count a guest's time twice. Older kernels print fewer fields; the missing ones are 0.
 * The aggregate `cpu ` line is skipped: the guards look at the run's cores only.
 */
export function parseProcStat(text: string): CoreJiffies[] {
  const out: CoreJiffies[] = [];
  for (const line of text.split('\n')) {
    const m = /^cpu(\d+)\s+(\d+(?:\s+\d+)*)\s*$/.exec(line);
    if (m === null) continue;
    const f = m[2]!.split(/\s+/).map(Number);
    const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = f;
    const busy = user + nice + system + irq + softirq + steal;
    if (!Number.isSafeInteger(busy + idle + iowait)) continue;
    out.push({ core: Number(m[1]), busyJiffies: busy, totalJiffies: busy + idle + iowait });
  }
  return out.sort((a, b) => a.core - b.core);
}

/** The cores' jiffies from `<procRoot>/stat`, only those in `cores` when given; [] when the file cannot be read. */
export async function readCpuJiffies(procRoot: string, cores?: readonly number[]): Promise<CoreJiffies[]> {
  const text = await readText(path.join(procRoot, 'stat'));
  if (text === null) return [];
  const all = parseProcStat(text);
  if (cores === undefined) return all;
  const wanted = new Set(cores);
  return all.filter((c) => wanted.has(c.core));
}
