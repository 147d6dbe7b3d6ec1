/**
 * The harness side of the profiling child (profile-worker.ts): one request, one answer, then the child is
 * gone. Started as onnx-process.ts starts the inference child (the same tsx loader, its own process group,
 * structured-clone IPC so tensors travel as typed arrays), with the same limits: the start has its own
 * limit (the harness's business), then the profiling run gets `timeoutMs` and is killed past it.
 */
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { LpcvError } from '../../errors/lpcv-error.js';
import { guardChild } from './child-guard.js';
import type { KernelTime } from './profile-trace.js';

// Compiled (dist/, bin/build.js) the worker is plain JavaScript beside this module and needs no loader.
const COMPILED = import.meta.url.endsWith('.js');
const WORKER = fileURLToPath(new URL(COMPILED ? './profile-worker.js' : './profile-worker.ts', import.meta.url));
const WORKER_EXEC_ARGV = COMPILED ? [] : ['--import', import.meta.resolve('tsx')];
const START_TIMEOUT_MS = 60_000;
/** Signals that stop a process from outside; a crashing runtime dies of SIGSEGV, SIGABRT, SIGBUS or SIGKILL (OOM). */
const STOP_SIGNALS: ReadonlySet<string> = new Set(['SIGTERM', 'SIGINT', 'SIGHUP', 'SIGQUIT']);

export interface ProfileRequest {
  modelPath: string;
  threads: number;
  inputName: string;
  outputName?: string;
  /** Runs cycle through these, in order. */
  inputs: (Float32Array | Uint8Array)[];
  shape: number[];
  dtype: 'float32' | 'uint8';
  /** Runs made first and left out of the profile. */
  warmupRuns: number;
  runs: number;
}

export type ToProfileWorker = ProfileRequest & {
  /** An empty folder of the harness's, for onnxruntime's trace file; the harness removes it. */
  traceDir: string;
};

export type FromProfileWorker =
  { type: 'ready' } | { type: 'profiled'; kernels: KernelTime[] } | { type: 'error'; stage: 'load' | 'run' | 'trace'; message: string };

function workerError(msg: Extract<FromProfileWorker, { type: 'error' }>): LpcvError {
  if (msg.stage === 'load') return new LpcvError('LPCV_E_MODEL_LOAD', `onnxruntime cannot load the model: ${msg.message}`);
  if (msg.stage === 'run') return new LpcvError('LPCV_E_MODEL_RUNTIME', `onnxruntime failed while profiling the model: ${msg.message}`);
  return new LpcvError('LPCV_E_WORKER_FAILED', `the profiling process cannot read onnxruntime's trace: ${msg.message}`);
}

function exitError(code: number | null, signal: NodeJS.Signals | null, stderrTail: string): LpcvError {
  const how = signal ? `signal ${signal}` : `exit code ${code}`;
  // A model cannot send itself these: someone stopped the process, which is not the submission's fault.
  if (signal !== null && STOP_SIGNALS.has(signal)) {
    return new LpcvError('LPCV_E_WORKER_FAILED', `the profiling process was stopped from outside (${how})`, { code, signal });
  }
  const tail = stderrTail.trim().split('\n').slice(-1)[0]?.slice(0, 300);
  return new LpcvError('LPCV_E_MODEL_CRASHED', `the profiling process died (${how})${tail ? `: ${tail}` : ''}`, { code, signal });
}

/**
 * Runs the model `warmupRuns + runs` times in a fresh profiling child and answers each kernel's time
 * over the last `runs`. Rejects with LPCV_E_MODEL_TIMEOUT past `timeoutMs` and LPCV_E_RUN_CANCELLED on
 * `signal`, the child killed either way; when it settles, the child has exited and the trace folder is gone.
 */
export async function runProfileWorker(req: ProfileRequest, opts: { timeoutMs: number; signal?: AbortSignal }): Promise<KernelTime[]> {
  const cancelled = (): LpcvError => new LpcvError('LPCV_E_RUN_CANCELLED', 'the run was cancelled and its profiling process killed');
  if (opts.signal?.aborted) throw cancelled();
  // Named by this process's pid, so that a check for leftovers (the tests') sees its own folders alone.
  const traceDir = mkdtempSync(path.join(os.tmpdir(), `lpcv-profile-${process.pid}-`));
  const child = fork(WORKER, [], {
    execArgv: WORKER_EXEC_ARGV,
    serialization: 'advanced',
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    // Its own process group, as the inference child: a Ctrl-C meant for the agent must not reach it and
    // read as the model crashing. When the harness dies, the IPC channel closes and the child exits, and a
    // child stuck inside the runtime is killed by its group's watchdog (child-guard.ts).
    detached: true,
  });
  guardChild(child);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let stderrTail = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderrTail = (stderrTail + chunk.toString('utf8')).slice(-2000);
  });
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  try {
    return await new Promise<KernelTime[]>((resolve, reject) => {
      const stop = (e: LpcvError): void => {
        reject(e);
        child.kill('SIGKILL');
      };
      timer = setTimeout(
        () => stop(new LpcvError('LPCV_E_WORKER_FAILED', `the profiling process did not start within ${START_TIMEOUT_MS} ms`)),
        START_TIMEOUT_MS,
      );
      onAbort = () => stop(cancelled());
      opts.signal?.addEventListener('abort', onAbort, { once: true });
      child.on('error', (e) => stop(new LpcvError('LPCV_E_WORKER_FAILED', `cannot start the profiling process: ${e.message}`)));
      // Once settled, a later exit (the one the harness asked for, or its own kill) rejects nothing.
      child.on('exit', (code, signal) => reject(exitError(code, signal, stderrTail)));
      child.on('message', (msg: FromProfileWorker) => {
        if (msg.type === 'ready') {
          // Starting Node and the runtime is the harness's business: the run's clock starts now.
          clearTimeout(timer);
          const limit = `profiling exceeded its time limit of ${opts.timeoutMs} ms and was killed`;
          timer = setTimeout(() => stop(new LpcvError('LPCV_E_MODEL_TIMEOUT', limit)), opts.timeoutMs);
          // A child that died meanwhile fails the send: its exit (above) says how it died.
          child.send({ ...req, traceDir } satisfies ToProfileWorker, () => undefined);
        } else if (msg.type === 'profiled') resolve(msg.kernels);
        else reject(workerError(msg));
      });
    });
  } finally {
    clearTimeout(timer);
    if (onAbort) opts.signal?.removeEventListener('abort', onAbort);
    if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) {
      // Ask it to go (it exits when the channel closes), and make sure: the trace folder goes only after it.
      if (child.connected) child.disconnect();
      const killer = setTimeout(() => child.kill('SIGKILL'), 1000);
      await exited;
      clearTimeout(killer);
    }
    rmSync(traceDir, { recursive: true, force: true });
  }
}
