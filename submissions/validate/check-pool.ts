/**
 * The intake's model checks off the event loop. Reading a hostile ONNX graph (20 MB of 640,000 nodes) took
 * 8-22 s of synchronous work; on the server's thread that froze every other request. Here each check runs in a
 * worker thread (check-worker.ts) with a heap limit and a time limit: past either, the worker is terminated
 * and replaced and the upload is refused as LPCV_E_MODEL_TOO_COMPLEX (the submission's fault). Admission is a
 * p-queue as wide as the pool; uploads beyond `maxWaiting` waiting ones are refused at once with
 * LPCV_E_SERVER_BUSY (the infrastructure's: nothing stored, nothing counted). `lpcv validate` and the tests'
 * servers keep the synchronous check (`inlineModelCheck`).
 */
import os from 'node:os';
import { Worker } from 'node:worker_threads';
import PQueue from 'p-queue';
import { isErrorCode } from '../../errors/codes.js';
import { LpcvError } from '../../errors/lpcv-error.js';
import type { CheckAnswer, CheckRequest } from './check-worker.js';
import type { ModelRequirements } from './model-requirements.js';
import { validateModel, type ValidationReport } from './validate-model.js';

/** Checks a stored model file against a track's requirements: the report, or a coded refusal. */
export type ModelCheck = (file: string, track: ModelRequirements) => Promise<ValidationReport>;

/** The check on the caller's own thread: for the CLI, and for servers that take no hostile uploads. */
export const inlineModelCheck: ModelCheck = (file, track) => Promise.resolve(validateModel(file, track));

export interface CheckPoolOptions {
  /** Worker threads: default one per core but one, at least 1 and at most 4. */
  readonly workers?: number;
  /** How long one file may take to check, ms (default 20,000); the time spent waiting for a worker is not counted. */
  readonly timeoutMs?: number;
  /** A worker's heap limit, MiB (default 1,024). */
  readonly maxHeapMb?: number;
  /** Uploads that may wait for a worker (default 16); one more is LPCV_E_SERVER_BUSY. */
  readonly maxWaiting?: number;
}

export const DEFAULT_CHECK_TIMEOUT_MS = 20_000;
export const DEFAULT_CHECK_HEAP_MB = 1024;
export const DEFAULT_CHECK_MAX_WAITING = 16;
/** What a busy refusal's Retry-After says. */
const BUSY_RETRY_AFTER_S = 5;

// Compiled (dist/, bin/build.js), check-worker.js runs as it is; from the sources the .mjs registers tsx first.
const WORKER_FILE = new URL(import.meta.url.endsWith('.js') ? './check-worker.js' : './check-worker.mjs', import.meta.url);
/** How long a new worker may take to load its code. */
const WORKER_START_MS = 60_000;

const stopping = (): LpcvError =>
  new LpcvError('LPCV_E_SERVER_BUSY', 'the server is stopping: send the upload again later', { retryAfterSeconds: BUSY_RETRY_AFTER_S });

/** Default pool width: a core stays free for the server's own thread. */
export function defaultCheckWorkers(cores = os.availableParallelism()): number {
  return Math.max(1, Math.min(4, cores - 1));
}

function positiveInt(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) throw new LpcvError('LPCV_E_USAGE', `model check pool: ${name} must be a whole number >= 1, not ${value}`);
  return value;
}

/** Only what validation reads travels to the worker (a loaded Track holds more). */
function requirementsOf(track: ModelRequirements): ModelRequirements {
  const { name, task, classes, formats, limits, input, output } = track;
  return { name, task, classes, formats, limits: { maxArtifactBytes: limits.maxArtifactBytes }, input, output };
}

export class ModelCheckPool {
  readonly workers: number;
  readonly timeoutMs: number;
  readonly maxHeapMb: number;
  readonly maxWaiting: number;
  private readonly queue: PQueue;
  private readonly idle: Worker[] = [];
  private readonly all = new Set<Worker>();
  private closed = false;

  constructor(o: CheckPoolOptions = {}) {
    this.workers = positiveInt('workers', o.workers ?? defaultCheckWorkers());
    this.timeoutMs = positiveInt('timeoutMs', o.timeoutMs ?? DEFAULT_CHECK_TIMEOUT_MS);
    this.maxHeapMb = positiveInt('maxHeapMb', o.maxHeapMb ?? DEFAULT_CHECK_HEAP_MB);
    this.maxWaiting = o.maxWaiting ?? DEFAULT_CHECK_MAX_WAITING;
    if (!Number.isInteger(this.maxWaiting) || this.maxWaiting < 0) {
      throw new LpcvError('LPCV_E_USAGE', `model check pool: maxWaiting must be a whole number >= 0, not ${this.maxWaiting}`);
    }
    this.queue = new PQueue({ concurrency: this.workers });
  }

  /** Checks being run and waiting, for tests and metrics. */
  get load(): { running: number; waiting: number } {
    return { running: this.queue.pending, waiting: this.queue.size };
  }

  /** The pool's ModelCheck. */
  readonly check: ModelCheck = (file, track) => {
    if (this.closed) return Promise.reject(stopping());
    if (this.queue.pending >= this.workers && this.queue.size >= this.maxWaiting) {
      return Promise.reject(
        new LpcvError(
          'LPCV_E_SERVER_BUSY',
          `the server is checking ${this.queue.pending} uploads with ${this.queue.size} waiting: send it again in a few seconds`,
          {
            retryAfterSeconds: BUSY_RETRY_AFTER_S,
          },
        ),
      );
    }
    const request: CheckRequest = { file, track: requirementsOf(track) };
    return this.queue.add(() => this.run(request));
  };

  /** Terminates every worker; checks still running or waiting fail with LPCV_E_SERVER_BUSY. */
  async close(): Promise<void> {
    this.closed = true;
    const workers = [...this.all];
    this.all.clear();
    this.idle.length = 0;
    await Promise.all(workers.map((w) => w.terminate()));
  }

  /** A new worker, once it has loaded its code (starting one is the server's time, not the file's). */
  private spawn(): Promise<Worker> {
    const worker = new Worker(WORKER_FILE, { resourceLimits: { maxOldGenerationSizeMb: this.maxHeapMb } });
    this.all.add(worker);
    return new Promise<Worker>((resolve, reject) => {
      const failed = (why: string): void => {
        this.retire(worker);
        reject(new LpcvError('LPCV_E_INTERNAL', `a model check worker did not start: ${why}`));
      };
      const timer = setTimeout(() => failed(`not ready within ${WORKER_START_MS} ms`), WORKER_START_MS);
      worker.once('message', () => {
        clearTimeout(timer);
        worker.removeAllListeners('error').removeAllListeners('exit');
        resolve(worker);
      });
      worker.once('error', (e) => {
        clearTimeout(timer);
        failed(e.message);
      });
      worker.once('exit', (code) => {
        clearTimeout(timer);
        failed(`it exited with code ${code}`);
      });
    });
  }

  private retire(worker: Worker): void {
    this.all.delete(worker);
    const i = this.idle.indexOf(worker);
    if (i >= 0) this.idle.splice(i, 1);
    void worker.terminate();
  }

  private async run(request: CheckRequest): Promise<ValidationReport> {
    if (this.closed) throw stopping();
    const worker = this.idle.pop() ?? (await this.spawn());
    if (this.closed) {
      this.retire(worker);
      throw stopping();
    }
    worker.ref();
    return new Promise<ValidationReport>((resolve, reject) => {
      let settled = false;
      const finish = (keep: boolean, outcome: () => void): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        worker.off('message', onMessage);
        worker.off('error', onError);
        worker.off('exit', onExit);
        // An idle worker does not keep the process alive.
        if (keep && !this.closed) {
          worker.unref();
          this.idle.push(worker);
        } else this.retire(worker);
        outcome();
      };
      const timer = setTimeout(
        () =>
          finish(false, () =>
            reject(new LpcvError('LPCV_E_MODEL_TOO_COMPLEX', `checking the model took longer than the server allows one file (${this.timeoutMs} ms)`)),
          ),
        this.timeoutMs,
      );
      const onMessage = (answer: CheckAnswer): void => {
        if ('ready' in answer) return;
        if (answer.ok) return finish(true, () => resolve(answer.report));
        const error =
          answer.code !== undefined && isErrorCode(answer.code)
            ? new LpcvError(answer.code, answer.message, answer.detail)
            : new LpcvError('LPCV_E_INTERNAL', `the model check failed: ${answer.message}`);
        finish(true, () => reject(error));
      };
      const onError = (e: Error): void => {
        const outOfMemory = (e as { code?: string }).code === 'ERR_WORKER_OUT_OF_MEMORY';
        finish(false, () =>
          reject(
            outOfMemory
              ? new LpcvError('LPCV_E_MODEL_TOO_COMPLEX', `checking the model needed more than the ${this.maxHeapMb} MiB the server gives one file`)
              : new LpcvError('LPCV_E_INTERNAL', `the model check worker failed: ${e.message}`),
          ),
        );
      };
      const onExit = (code: number): void =>
        finish(false, () => reject(this.closed ? stopping() : new LpcvError('LPCV_E_INTERNAL', `the model check worker exited (code ${code})`)));
      worker.on('message', onMessage);
      worker.on('error', onError);
      worker.on('exit', onExit);
      worker.postMessage(request);
    });
  }
}
