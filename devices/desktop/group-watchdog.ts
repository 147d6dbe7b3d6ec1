/**
 * Ties a child's process group to this process's life, whatever the child is doing. The inference and
 * profiling children run in process groups of their own (a Ctrl-C meant for the agent must not read as the
 * model crashing) and exit when their IPC channel closes, but only if their JavaScript thread gets to run: a
 * model looping inside onnxruntime never lets it, and such a child outlived a harness killed with SIGKILL,
 * adopted by PID 1 and burning the core the next job measures on.
 *
 * The watchdog is a shell outside the child and outside this process: it waits on a pipe whose only writer is
 * this process. A line on the pipe (`release()`, sent once the child has exited) ends it quietly; end of file
 * without one means this process died, however it died (the kernel closes the pipe), and the watchdog kills
 * the child's whole group with SIGKILL. It ignores the signals a terminal or service manager sends a group,
 * and sits in a group of its own so that a signal meant for the harness's group does not reach it.
 */
import { spawn, type ChildProcess } from 'node:child_process';

const SCRIPT = `trap '' INT TERM HUP QUIT PIPE; if read -r line; then exit 0; fi; kill -s KILL -- "-$1" 2>/dev/null; exit 0`;

export interface GroupWatchdog {
  /** The watchdog's pid (for tests), undefined when it could not be started. */
  readonly pid: number | undefined;
  /** The group has ended (or is being ended by its owner): the watchdog leaves without killing anything. */
  release(): void;
}

/** Starts a watchdog that kills process group `pgid` with SIGKILL if this process dies before `release()`. */
export function watchGroup(pgid: number): GroupWatchdog {
  let dog: ChildProcess | undefined;
  try {
    dog = spawn('/bin/sh', ['-c', SCRIPT, 'lpcv-group-watchdog', String(pgid)], { stdio: ['pipe', 'ignore', 'ignore'], detached: true });
  } catch {
    dog = undefined;
  }
  // Neither the watchdog nor its pipe keeps this process's event loop alive.
  dog?.on('error', () => undefined);
  dog?.stdin?.on('error', () => undefined);
  dog?.unref();
  (dog?.stdin as { unref?: () => void } | null | undefined)?.unref?.();
  let released = false;
  return {
    pid: dog?.pid,
    release(): void {
      if (released || dog?.stdin === null || dog?.stdin === undefined) return;
      released = true;
      dog.stdin.end('release\n');
    },
  };
}
