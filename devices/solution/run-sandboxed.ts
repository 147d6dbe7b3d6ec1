/**
 * Runs one sandbox command (sandbox.ts) and watches it from the host: the wall clock from the process's
 * start to its exit on the monotonic clock, the time limit, the job's abort signal, bounded tails of the
 * package's stdout and stderr, and the supervisor's report on its own pipe (supervisor.py).
 *
 * Stopping: bwrap (or setpriv, which execs it under the same pid) leads its own process group, and the
 * package lives in the sandbox's pid namespace. Killing the group with SIGKILL kills bwrap; its
 * --die-with-parent then kills the namespace's pid 1, and the kernel kills every process of a pid namespace
 * whose pid 1 dies. No process of the package survives that (the tests look for one on the host's /proc).
 */
import { execa } from 'execa';
import type { Readable } from 'node:stream';
import { LpcvError } from '../../errors/lpcv-error.js';
import type { SandboxCommand } from './sandbox.js';

/** Bytes of stdout and of stderr kept (the end of each). */
export const TAIL_BYTES = 8192;

export interface SupervisorReport {
  readonly exitCode: number | null;
  readonly signal: number | null;
  readonly violation: 'network' | 'processes' | null;
  /** Counters of the sandbox's IP stack that moved: name -> delta. */
  readonly network: Record<string, number>;
  readonly peakTasks: number;
  readonly leftoverTasks: number;
  /** The package's process alone, start to exit, on the same monotonic clock (the supervisor's view). */
  readonly packageNs: number;
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
}

export interface RunSandboxedOptions {
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
  /** Called with bwrap's pid once it runs (tests look for survivors with it). */
  readonly onSpawn?: (pid: number) => void;
}

/** The monotonic clock in ms (the same CLOCK_MONOTONIC the supervisor reads). */
export function monotonicMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

export async function runSandboxed(cmd: SandboxCommand, opts: RunSandboxedOptions): Promise<SandboxRun> {
  if (opts.signal?.aborted) throw new LpcvError('LPCV_E_RUN_CANCELLED', 'the run was cancelled before the sandbox started');
  const startMs = monotonicMs();
  const child = execa(cmd.file, [...cmd.args], {
    stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
    buffer: false,
    reject: false,
    detached: true,
    extendEnv: false,
    env: {},
    forceKillAfterDelay: false,
    cleanup: true,
  });
  let endMs: number | undefined;
  child.once('exit', () => {
    endMs = monotonicMs();
  });
  const stdout = tail(child.stdout);
  const stderr = tail(child.stderr);
  const status = collect(child.stdio[3] as Readable);

  let outcome: SandboxRun['outcome'] = 'exited';
  const killGroup = (why: SandboxRun['outcome']): void => {
    if (outcome === 'exited' && endMs === undefined) outcome = why;
    if (child.pid === undefined) return;
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  };
  const timer = setTimeout(() => killGroup('timeout'), opts.timeoutMs);
  const onAbort = (): void => killGroup('cancelled');
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  if (child.pid !== undefined) opts.onSpawn?.(child.pid);
  let result: Awaited<typeof child>;
  try {
    result = await child;
  } finally {
    clearTimeout(timer);
    opts.signal?.removeEventListener('abort', onAbort);
  }
  if (result.failed && result.exitCode === undefined && result.signal === undefined) {
    throw new LpcvError('LPCV_E_SANDBOX_UNAVAILABLE', `cannot start ${cmd.file}: ${result.shortMessage ?? result.message}`);
  }
  const end = endMs ?? monotonicMs();
  const { started, report } = parseStatus(await status);
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
    stdoutTail: (await stdout).text,
    stderrTail: (await stderr).text,
    stdoutBytes: (await stdout).bytes,
    stderrBytes: (await stderr).bytes,
  };
}

/** The last TAIL_BYTES of a stream, and how many bytes it carried. */
function tail(stream: Readable | null): Promise<{ text: string; bytes: number }> {
  return new Promise((resolve) => {
    if (stream === null) return resolve({ text: '', bytes: 0 });
    let buf = Buffer.alloc(0);
    let bytes = 0;
    stream.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      buf = Buffer.concat([buf, chunk]);
      if (buf.length > 2 * TAIL_BYTES) buf = buf.subarray(buf.length - TAIL_BYTES);
    });
    const done = (): void => resolve({ text: buf.subarray(Math.max(0, buf.length - TAIL_BYTES)).toString('utf8'), bytes });
    stream.once('end', done);
    stream.once('error', done);
  });
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
        violation: m.violation === 'network' || m.violation === 'processes' ? m.violation : null,
        network: isCounts(m.network) ? m.network : {},
        peakTasks: typeof m.peakTasks === 'number' ? m.peakTasks : 0,
        leftoverTasks: typeof m.leftoverTasks === 'number' ? m.leftoverTasks : 0,
        packageNs: typeof m.packageNs === 'number' ? m.packageNs : 0,
      };
    }
  }
  return { started, ...(report ? { report } : {}) };
}

function isCounts(v: unknown): v is Record<string, number> {
  return typeof v === 'object' && v !== null && Object.values(v).every((x) => typeof x === 'number');
}
