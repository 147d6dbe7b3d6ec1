/**
 * Runs one sandbox command (sandbox.ts) and watches it from the host: the wall clock from the process's
 * start to its exit on the monotonic clock, the time limit, the job's abort signal, bounded tails of the
 * package's stdout and stderr, and the supervisor's report on its own pipe (supervisor.py).
 *
 * Ending. The sandbox is its pid namespace, and a run is over when the namespace's pid 1, which bwrap names
 * on --info-fd, has exited: the kernel lets a namespace's init exit only after every other process of it
 * has been reaped (sandbox-init.ts). runSandboxed returns only then, so nothing of the package runs on into
 * the next measurement (the tests look for a survivor of the namespace on the host's /proc). Two things
 * bwrap does not give by itself:
 * - bwrap's outer process, the harness's child, exits as soon as pid 1 reports the supervisor's exit
 *   status, before pid 1 has exited. So once bwrap has exited, pid 1 is killed (it is on its way out
 *   anyway: --die-with-parent) and waited for, up to END_TIMEOUT_MS; still running then is an error.
 * - The time limit and the abort kill pid 1, not bwrap. bwrap's pid 1 arms --die-with-parent only at the
 *   end of its set-up, so a bwrap killed during the set-up (the first ~30 ms) left a pid 1 that went on to
 *   run the package with no parent, no time limit and the harness's pipes open, and the run never returned
 *   (measured here: 6 of 76 aborts 3 to 40 ms after the spawn, on 2 loaded cores). A killed pid 1 takes the
 *   namespace with it, and bwrap, which reaps it, then exits. Before bwrap has named pid 1, a kill waits
 *   for the name; bwrap's process group (bwrap, or setpriv, which execs it under the same pid) is killed
 *   only if it has not exited STOP_GRACE_MS after the kill.
 */
import { execa } from 'execa';
import type { Readable } from 'node:stream';
import { LpcvError } from '../../errors/lpcv-error.js';
import type { RunLogs } from '../../harness/wire/index.js';
import { captureTail } from '../targets/stream-tail.js';
import { INFO_FD, type SandboxCommand } from './sandbox.js';
import { childPidOf, killInit, sandboxInitAt, waitForInitEnd, type SandboxInit } from './sandbox-init.js';

/** How long the sandbox's pid 1 may take to exit once killed (measured: milliseconds, even under load). */
const END_TIMEOUT_MS = 10_000;
/** How long after a kill bwrap may take to exit before its process group is killed too. */
const STOP_GRACE_MS = 5_000;

export interface SupervisorReport {
  readonly exitCode: number | null;
  readonly signal: number | null;
  readonly violation: 'network' | 'processes' | 'output' | null;
  /** Counters of the sandbox's IP stack that moved: name -> delta. */
  readonly network: Record<string, number>;
  readonly peakTasks: number;
  readonly leftoverTasks: number;
  /** The package's process alone, start to exit, on the same monotonic clock (the supervisor's view). */
  readonly packageNs: number;
  /** What the supervisor last counted under the output folder (bytes, entries; it stops counting past a limit). */
  readonly outputBytes: number;
  readonly outputFiles: number;
}

export interface SandboxRun {
  /** exited: on its own; timeout: killed at the limit; cancelled: killed on the job's signal. */
  readonly outcome: 'exited' | 'timeout' | 'cancelled';
  /** Monotonic ms (process.hrtime) at spawn and at exit. */
  readonly startMs: number;
  readonly endMs: number;
  readonly durationMs: number;
  /** bwrap's own exit (the supervisor's status, or bwrap's error). */
  readonly exitCode: number | null;
  readonly signal: string | null;
  readonly pid: number | undefined;
  /** The supervisor said it started (the sandbox was set up). */
  readonly started: boolean;
  /** Its final report, unless it was killed or the run was stopped first. */
  readonly report?: SupervisorReport;
  readonly stdoutTail: string;
  readonly stderrTail: string;
  readonly stdoutBytes: number;
  readonly stderrBytes: number;
  /** The same tails as the agent sends them (decoded, and whether each stream's start was dropped). */
  readonly logs?: RunLogs;
}

export interface RunSandboxedOptions {
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
  /** Called with bwrap's pid once it runs (tests look for survivors with it). */
  readonly onSpawn?: (pid: number) => void;
  /**
   * Called once bwrap has named the sandbox's pid 1 (tests check that it is gone when the run returns): the
   * process, or null when it had already exited by then (a zombie or gone: its namespace was already empty).
   */
  readonly onSandboxInit?: (init: SandboxInit | null) => void;
}

/** The monotonic clock in ms (the same CLOCK_MONOTONIC the supervisor reads). */
export function monotonicMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

export async function runSandboxed(cmd: SandboxCommand, opts: RunSandboxedOptions): Promise<SandboxRun> {
  if (opts.signal?.aborted) throw new LpcvError('LPCV_E_RUN_CANCELLED', 'the run was cancelled before the sandbox started');
  const startMs = monotonicMs();
  const child = execa(cmd.file, [...cmd.args], {
    stdio: ['ignore', 'pipe', 'pipe', 'pipe', 'pipe'],
    buffer: false,
    reject: false,
    detached: true,
    extendEnv: false,
    env: {},
    forceKillAfterDelay: false,
    cleanup: true,
  });
  let endMs: number | undefined;
  let init: SandboxInit | undefined;
  let stopping = false;
  child.once('exit', () => {
    endMs = monotonicMs();
    // bwrap is gone: nothing of its sandbox goes on.
    if (init !== undefined) killInit(init);
  });
  // bwrap writes the name before it lets pid 1 run, then closes the pipe; no name: no sandbox was made.
  const named = collect(child.stdio[INFO_FD] as Readable).then((text) => {
    const pid = childPidOf(text);
    init = pid === undefined ? undefined : sandboxInitAt(pid);
    if (pid !== undefined) opts.onSandboxInit?.(init ?? null);
    if (init !== undefined && (stopping || endMs !== undefined)) killInit(init);
  });
  const stdout = captureTail(child.stdout);
  const stderr = captureTail(child.stderr);
  const status = collect(child.stdio[3] as Readable);

  let outcome: SandboxRun['outcome'] = 'exited';
  let grace: NodeJS.Timeout | undefined;
  const stop = (why: SandboxRun['outcome']): void => {
    if (outcome === 'exited' && endMs === undefined) outcome = why;
    if (stopping) return;
    stopping = true;
    if (init !== undefined) killInit(init);
    grace = setTimeout(() => {
      if (child.pid === undefined || endMs !== undefined) return;
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }, STOP_GRACE_MS);
  };
  const timer = setTimeout(() => stop('timeout'), opts.timeoutMs);
  const onAbort = (): void => stop('cancelled');
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  if (child.pid !== undefined) opts.onSpawn?.(child.pid);
  let result: Awaited<typeof child>;
  try {
    result = await child;
  } finally {
    clearTimeout(timer);
    clearTimeout(grace);
    opts.signal?.removeEventListener('abort', onAbort);
  }
  if (result.failed && result.exitCode === undefined && result.signal === undefined) {
    throw new LpcvError('LPCV_E_SANDBOX_UNAVAILABLE', `cannot start ${cmd.file}: ${result.shortMessage ?? result.message}`);
  }
  await named;
  if (init !== undefined && !(await waitForInitEnd(init, END_TIMEOUT_MS))) {
    throw new LpcvError(
      'LPCV_E_SANDBOX_UNAVAILABLE',
      `the sandbox's pid 1 (host pid ${init.pid}) still ran ${END_TIMEOUT_MS} ms after bwrap exited and it was killed`,
    );
  }
  const end = endMs ?? monotonicMs();
  const { started, report } = parseStatus(await status);
  const out = (await stdout).result();
  const err = (await stderr).result();
  return {
    outcome,
    startMs,
    endMs: end,
    durationMs: end - startMs,
    exitCode: result.exitCode ?? null,
    signal: result.signal ?? null,
    pid: child.pid,
    started,
    ...(report ? { report } : {}),
    stdoutTail: out.text,
    stderrTail: err.text,
    stdoutBytes: (await stdout).seenBytes,
    stderrBytes: (await stderr).seenBytes,
    logs: { stdout: out, stderr: err },
  };
}

/** The supervisor's pipe: a few JSON lines, at most 64 KiB read. */
function collect(stream: Readable): Promise<string> {
  return new Promise((resolve) => {
    let text = '';
    stream.on('data', (chunk: Buffer) => {
      if (text.length < 65_536) text += chunk.toString('utf8');
    });
    stream.once('end', () => resolve(text));
    stream.once('error', () => resolve(text));
  });
}

function parseStatus(text: string): { started: boolean; report?: SupervisorReport } {
  let started = false;
  let report: SupervisorReport | undefined;
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    let msg: unknown;
    try {
      msg = JSON.parse(line);
    } catch {
      continue;
    }
    if (typeof msg !== 'object' || msg === null) continue;
    const m = msg as Record<string, unknown>;
    if (m.event === 'started') started = true;
    if (m.event === 'exit') {
      report = {
        exitCode: typeof m.exitCode === 'number' ? m.exitCode : null,
        signal: typeof m.signal === 'number' ? m.signal : null,
        violation: m.violation === 'network' || m.violation === 'processes' || m.violation === 'output' ? m.violation : null,
        network: isCounts(m.network) ? m.network : {},
        peakTasks: typeof m.peakTasks === 'number' ? m.peakTasks : 0,
        leftoverTasks: typeof m.leftoverTasks === 'number' ? m.leftoverTasks : 0,
        packageNs: typeof m.packageNs === 'number' ? m.packageNs : 0,
        outputBytes: typeof m.outputBytes === 'number' ? m.outputBytes : 0,
        outputFiles: typeof m.outputFiles === 'number' ? m.outputFiles : 0,
      };
    }
  }
  return { started, ...(report ? { report } : {}) };
}

function isCounts(v: unknown): v is Record<string, number> {
  return typeof v === 'object' && v !== null && Object.values(v).every((x) => typeof x === 'number');
}
