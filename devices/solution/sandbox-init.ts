/**
 * The sandbox's pid 1 as the host sees it, and the one event that says the sandbox is gone: that process
 * has exited.
 *
 * bwrap's outer process (the harness's child) is not the sandbox. With --unshare-pid it clones the
 * namespace's pid 1 (bwrap's own init, which forks the supervisor as pid 2) and then only watches it, and it
 * exits as soon as pid 1 tells it pid 2's exit status over an eventfd (bubblewrap 0.8.0, bubblewrap.c,
 * monitor_child and do_init): pid 1 itself still has to reap what is left and exit, and that happens after
 * the harness has seen bwrap exit and its pipes close. Measured here (Linux 6.18, bubblewrap 0.8.0, 2 loaded
 * cores): in 12 of 99 sandbox runs pid 1 still ran at that moment, for up to 5 ms; the tests' "nothing
 * survives" checks failed in 6 of 8 runs of the two test files side by side. Each survivor was the
 * namespace's pid 1, reparented to the host's init, inside do_exit: freeing its mounts
 * (synchronize_rcu_expedited, cleanup_mnt), or in zap_pid_ns_processes waiting for a killed process of the
 * package that was itself still in do_exit.
 *
 * The kernel's order is what makes pid 1 the one to wait for: when a namespace's init exits, the kernel kills
 * every other process of the namespace and waits until each has been reaped before the init becomes a
 * zombie ("when the init process of a pid namespace is reaped all of the processes in the pid namespace are
 * gone", kernel/pid_namespace.c, zap_pid_ns_processes). So "pid 1 is a zombie or gone" means "nothing of the
 * sandbox runs", with no scan of /proc. Node has no pidfd, so the harness reads /proc/<pid>/stat until then.
 *
 * bwrap names pid 1 on --info-fd ("child-pid") before it lets it run, while it is still bwrap's unreaped
 * child; its start time, read then, tells it from a later process that reuses the number (the kernel hands
 * pids out in a cycle of /proc/sys/kernel/pid_max, so that takes a full turn of the cycle meanwhile).
 */
import { readFileSync } from 'node:fs';

/** The sandbox's pid 1: its host pid and its start time (clock ticks after boot), which together name it. */
export interface SandboxInit {
  readonly pid: number;
  readonly startTicks: string;
}

/** The host pid of the sandbox's pid 1 in bwrap's --info-fd JSON, if it says one. */
export function childPidOf(info: string): number | undefined {
  try {
    const pid = (JSON.parse(info) as Record<string, unknown>)['child-pid'];
    return typeof pid === 'number' && Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The process `pid` as the sandbox's pid 1, or undefined when no such process runs any more (or the number
 * already belongs to a process that is no namespace's init: then pid 1 was reaped, and so was the rest).
 */
export function sandboxInitAt(pid: number): SandboxInit | undefined {
  const stat = statOf(pid);
  if (stat === undefined || stat.state === 'Z' || stat.state === 'X') return undefined;
  let nspid: string | undefined;
  try {
    nspid = /^NSpid:\s*(.*)$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  } catch {
    return undefined;
  }
  // A pid namespace's init reads "<host pid> ... 1": it is pid 1 in its innermost namespace.
  if (nspid === undefined || nspid.trim().split(/\s+/).at(-1) !== '1') return undefined;
  return { pid, startTicks: stat.startTicks };
}

/** Whether that process still exists and is not yet a zombie (a zombie's namespace is empty). */
export function initRuns(init: SandboxInit): boolean {
  const stat = statOf(init.pid);
  return stat !== undefined && stat.startTicks === init.startTicks && stat.state !== 'Z' && stat.state !== 'X';
}

/**
 * SIGKILL to the sandbox's pid 1, if it is still that process. From the host's namespace SIGKILL reaches a
 * namespace's init (pid_namespaces(7)); the kernel then kills every other process of the sandbox.
 */
export function killInit(init: SandboxInit): void {
  if (!initRuns(init)) return;
  try {
    process.kill(init.pid, 'SIGKILL');
  } catch {
    // Exited meanwhile.
  }
}

/** Resolves true once the sandbox's pid 1 is a zombie or gone, false if it still runs at the deadline. */
export async function waitForInitEnd(init: SandboxInit, timeoutMs: number, pollMs = 2): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (!initRuns(init)) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((r) => setTimeout(r, pollMs));
  }
}

function statOf(pid: number): { state: string; startTicks: string } | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // Fields after the command name (which may hold spaces and parentheses): state is field 3, starttime 22.
  const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const state = rest[0];
  const startTicks = rest[19];
  return state === undefined || startTicks === undefined ? undefined : { state, startTicks };
}
