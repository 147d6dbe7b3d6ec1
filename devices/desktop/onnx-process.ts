import { fork, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { LpcvError } from '../../errors/lpcv-error.js';
import { withRunLogs } from '../targets/run-logs.js';
import { tailBuffer } from '../targets/stream-tail.js';
import { guardChild } from './child-guard.js';
import type { Postprocess } from '../../harness/tasks/output-decoding.js';
import type { FromWorker, InferOutput, LoadedInfo, ToWorker } from './worker-protocol.js';

// Compiled (dist/, bin/build.js) the worker is plain JavaScript beside this module and needs no loader.
const COMPILED = import.meta.url.endsWith('.js');
const WORKER = fileURLToPath(new URL(COMPILED ? './onnx-worker.js' : './onnx-worker.ts', import.meta.url));
const WORKER_EXEC_ARGV = COMPILED ? [] : ['--import', import.meta.resolve('tsx')];
const START_TIMEOUT_MS = 60_000;
/**
 * How often the inference process's resident memory is read: a reading wakes the harness for some tens of
 * microseconds, which on a shared core lands inside a timed run now and then; four a second keep that rare.
 */
export const RSS_POLL_MS = 250;

export interface OnnxProcessOptions {
  /** Wall-clock limit for everything this process does; past it the child is killed (LPCV_E_MODEL_TIMEOUT). */
  timeoutMs: number;
  /** The run's whole limit, named in the timeout's message when this process has only what is left of it. */
  runLimitMs?: number;
  onProgress?: (p: Extract<FromWorker, { type: 'progress' }>) => void;
  /** Resident memory the process may hold, bytes; past it the process is killed (LPCV_E_MODEL_MEMORY). */
  maxRssBytes?: number;
  /** How often the resident memory is read, ms (default RSS_POLL_MS). */
  rssPollMs?: number;
}

export interface LatencyRun {
  samplesMs: number[];
  warmupMs: number[];
  /** Paired with the reference: its timed runs and the block order. */
  referenceSamplesMs?: number[];
  blockOrder?: string;
  timedMs: number;
  capped: boolean;
  /** The inference process's own CPU time since it started (user + system), ms. */
  cpuMs: number;
}

/**
 * The harness side of the ONNX inference child. One request at a time; every answer is checked. The child
 * is killed on timeout, and its death while a request is pending becomes LPCV_E_MODEL_CRASHED.
 */
/** Signals that stop a process from outside; a crashing runtime dies of SIGSEGV, SIGABRT, SIGBUS or SIGKILL (OOM). */
const STOP_SIGNALS: ReadonlySet<string> = new Set(['SIGTERM', 'SIGINT', 'SIGHUP', 'SIGQUIT']);

export class OnnxProcess {
  private readonly child: ChildProcess;
  private pending: { resolve: (m: FromWorker) => void; reject: (e: Error) => void; accept: FromWorker['type'][] } | undefined;
  private dead: LpcvError | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly ready: Promise<void>;
  /** The runtime's last words on a crash (an assertion, an allocation failure): sent with the failure too. */
  private readonly stderr = tailBuffer();
  /** The pid of the watchdog that kills this process's group if the harness dies first (for tests). */
  readonly watchdogPid: number | undefined;
  private rssTimer: NodeJS.Timeout | undefined;

  private constructor(private readonly opts: OnnxProcessOptions) {
    this.child = fork(WORKER, [], {
      execArgv: WORKER_EXEC_ARGV,
      serialization: 'advanced',
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      // Its own process group: a Ctrl-C or a `kill -TERM -<pgid>` meant for the agent must not reach the
      // model's process and be reported as the model crashing. The agent stops it itself (SIGKILL on a
      // cancel or a time limit); when the agent dies, the IPC channel closes and the worker exits, and a worker
      // stuck inside the runtime is killed by its group's watchdog (child-guard.ts).
      detached: true,
    });
    this.watchdogPid = guardChild(this.child).watchdogPid;
    this.child.stderr?.on('data', (chunk: Buffer) => {
      this.stderr.push(chunk);
    });
    this.ready = new Promise((resolve, reject) => {
      this.pending = { resolve: () => resolve(), reject, accept: ['ready'] };
    });
    // Starting Node and the runtime is the harness's business: it gets its own limit, and the run's
    // clock starts once the child is ready.
    this.timer = setTimeout(() => {
      this.fail(new LpcvError('LPCV_E_WORKER_FAILED', `the inference process did not start within ${START_TIMEOUT_MS} ms`));
      this.child.kill('SIGKILL');
    }, START_TIMEOUT_MS);
    this.child.on('message', (msg: FromWorker) => this.onMessage(msg));
    this.child.on('error', (e) => this.fail(new LpcvError('LPCV_E_WORKER_FAILED', `cannot start the inference process: ${e.message}`)));
    this.child.on('exit', (code, signal) => {
      clearTimeout(this.timer);
      clearInterval(this.rssTimer);
      if (this.dead) return this.fail(this.dead);
      const how = signal ? `signal ${signal}` : `exit code ${code}`;
      const stderr = this.stderr.result();
      const tail = stderr.text.trim().split('\n').slice(-1)[0]?.slice(0, 300);
      // A model cannot send itself these: someone stopped the process (a service manager stopping the
      // whole control group, an operator). Not the submission's fault, so never counted against a team.
      if (signal !== null && STOP_SIGNALS.has(signal)) {
        return this.fail(
          new LpcvError('LPCV_E_WORKER_FAILED', `the inference process was stopped from outside (${how}); the job is given back`, { code, signal }),
        );
      }
      const crashed = new LpcvError('LPCV_E_MODEL_CRASHED', `the inference process died (${how})${tail ? `: ${tail}` : ''}`, { code, signal });
      this.fail(stderr.text === '' ? crashed : withRunLogs(crashed, { stderr }));
    });
  }

  static async start(opts: OnnxProcessOptions): Promise<OnnxProcess> {
    const p = new OnnxProcess(opts);
    await p.ready;
    p.armRunTimer();
    p.watchMemory();
    return p;
  }

  /**
   * Reads the process's resident memory (VmRSS in /proc/<pid>/status) every rssPollMs and kills it past
   * maxRssBytes. From outside: an address-space limit would break V8's reservations, and a model's tensors
   * live in onnxruntime's native heap, which no V8 flag bounds. Where /proc is missing nothing is watched.
   */
  private watchMemory(): void {
    const limit = this.opts.maxRssBytes;
    const pid = this.child.pid;
    // A limit that is not a positive number (a hand-built track without limits.memoryMb) watches nothing.
    if (limit === undefined || !(limit > 0) || pid === undefined) return;
    this.rssTimer = setInterval(() => {
      let rss: number;
      try {
        const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
        if (m === null) return;
        rss = Number(m[1]) * 1024;
      } catch {
        clearInterval(this.rssTimer);
        return;
      }
      if (rss <= limit) return;
      const mib = (b: number): string => (b / 1024 / 1024).toFixed(0);
      this.kill(
        new LpcvError(
          'LPCV_E_MODEL_MEMORY',
          `the inference process held ${mib(rss)} MiB, over the limit of ${mib(limit)} MiB (limits.memoryMb), and was killed`,
          { rssBytes: rss, limitBytes: limit },
        ),
      );
    }, this.opts.rssPollMs ?? RSS_POLL_MS);
    this.rssTimer.unref();
  }

  private armRunTimer(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.fail(new LpcvError('LPCV_E_MODEL_TIMEOUT', `the run exceeded its time limit of ${this.opts.runLimitMs ?? this.opts.timeoutMs} ms and was killed`));
      this.child.kill('SIGKILL');
    }, this.opts.timeoutMs);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  async load(
    modelPath: string,
    threads: number,
    inputName: string,
    outputName?: string,
    role: 'submission' | 'reference' = 'submission',
    fetch?: readonly string[],
  ): Promise<LoadedInfo> {
    const msg = await this.request({ type: 'load', modelPath, threads, inputName, outputName, role, ...(fetch ? { fetch } : {}) }, ['loaded']);
    if (msg.type !== 'loaded') throw new Error('unreachable');
    return msg.info;
  }

  async infer(
    inputs: (Float32Array | Uint8Array)[],
    shape: number[],
    dtype: 'float32' | 'uint8',
    postprocess: Postprocess,
  ): Promise<
    { output: InferOutput; inferMs: number[] } | { nonFinite: number } | { badOutput: string; outputShape: number[] } | { badDetections: string; index: number }
  > {
    const msg = await this.request({ type: 'infer', inputs, shape, dtype, postprocess }, ['inferred', 'non-finite', 'bad-output', 'bad-detections']);
    if (msg.type === 'inferred') return { output: msg.output, inferMs: msg.inferMs };
    if (msg.type === 'non-finite') return { nonFinite: msg.index };
    if (msg.type === 'bad-detections') return { badDetections: msg.message, index: msg.index };
    if (msg.type === 'bad-output') return { badOutput: msg.message, outputShape: msg.outputShape };
    throw new Error('unreachable');
  }

  async latency(req: Omit<Extract<ToWorker, { type: 'latency' }>, 'type'>): Promise<LatencyRun> {
    const msg = await this.request({ type: 'latency', ...req }, ['latency-done']);
    if (msg.type !== 'latency-done') throw new Error('unreachable');
    return {
      samplesMs: Array.from(msg.samplesMs),
      warmupMs: Array.from(msg.warmupMs),
      ...(msg.referenceSamplesMs ? { referenceSamplesMs: Array.from(msg.referenceSamplesMs), blockOrder: msg.blockOrder ?? '' } : {}),
      timedMs: msg.timedMs,
      capped: msg.capped,
      cpuMs: msg.cpuMs,
    };
  }

  /** Stop at once: the pending request (if any) rejects with `reason` and the child is killed. */
  kill(reason: LpcvError): void {
    this.fail(reason);
    clearTimeout(this.timer);
    clearInterval(this.rssTimer);
    this.child.kill('SIGKILL');
  }

  /** Ask the child to exit; kill it if it does not within a second. */
  async close(): Promise<void> {
    clearTimeout(this.timer);
    clearInterval(this.rssTimer);
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.dead ??= new LpcvError('LPCV_E_INTERNAL', 'inference process closed');
    try {
      this.child.send({ type: 'exit' } satisfies ToWorker);
    } catch {
      // channel already closed
    }
    const killer = setTimeout(() => this.child.kill('SIGKILL'), 1000);
    await exited;
    clearTimeout(killer);
  }

  private request(msg: ToWorker, accept: FromWorker['type'][]): Promise<FromWorker> {
    if (this.dead) return Promise.reject(this.dead);
    if (this.pending) return Promise.reject(new LpcvError('LPCV_E_INTERNAL', 'overlapping requests to the inference process'));
    return new Promise((resolve, reject) => {
      this.pending = { resolve, reject, accept };
      this.child.send(msg);
    });
  }

  private onMessage(msg: FromWorker): void {
    if (msg.type === 'progress') {
      this.opts.onProgress?.(msg);
      return;
    }
    const pending = this.pending;
    if (!pending) return;
    this.pending = undefined;
    if (msg.type === 'error') {
      const code = msg.stage === 'load' ? 'LPCV_E_MODEL_LOAD' : 'LPCV_E_MODEL_RUNTIME';
      const what = msg.stage === 'load' ? 'onnxruntime cannot load the model' : 'onnxruntime failed while running the model';
      pending.reject(new LpcvError(code, `${what}: ${msg.message}`));
    } else if (pending.accept.includes(msg.type)) {
      pending.resolve(msg);
    } else {
      pending.reject(new LpcvError('LPCV_E_INTERNAL', `unexpected message ${msg.type} from the inference process`));
    }
  }

  private fail(e: LpcvError): void {
    this.dead ??= e;
    const pending = this.pending;
    this.pending = undefined;
    pending?.reject(this.dead);
  }
}
