/**
 * The harness's side of aihub_helper.py's JSON-lines protocol (docs/aihub.md): one long-lived Python child per
 * device, one request per line with an id, answers matched by id. A request that is aborted or times out kills
 * the child (a blocking upload cannot be interrupted any other way); the next request starts a fresh one once the
 * killed one has exited, and each child's exit fails only the requests sent to it.
 */
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { execa, type ResultPromise } from 'execa';
import { LpcvError } from '../../errors/lpcv-error.js';
import { tailBuffer } from '../targets/stream-tail.js';
import { AIHUB_CODES, AihubFault } from './aihub-faults.js';

export const HELPER_PATH = fileURLToPath(new URL('./aihub_helper.py', import.meta.url));

interface Answer {
  readonly id: number;
  readonly ok: boolean;
  readonly result?: unknown;
  readonly fault?: 'submission' | 'infrastructure';
  readonly kind?: string;
  readonly message?: string;
}

interface Pending {
  readonly op: string;
  resolve(v: unknown): void;
  reject(e: unknown): void;
}

export interface AihubClientOptions {
  /** The Python with qai_hub installed. */
  readonly python: string;
  /** Extra environment for the helper (the tests put the stand-in qai_hub on PYTHONPATH). */
  readonly env?: Readonly<Record<string, string>>;
}

export interface RequestOptions {
  readonly signal?: AbortSignal;
  /** Past this the child is killed and the request fails as the infrastructure's. */
  readonly timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 15 * 60_000;

interface Helper {
  readonly proc: ResultPromise;
  /** This helper's unanswered requests: its exit rejects these and no others. */
  readonly pending: Map<number, Pending>;
  /** Settles when the process has exited and its pipes have closed. */
  readonly exited: Promise<void>;
}

/** The current helper: starting (only `ready`) or started. */
interface Slot {
  readonly ready: Promise<Helper>;
  helper?: Helper;
}

export class AihubClient {
  #slot: Slot | undefined;
  /** Helpers killed and not yet exited: a fresh one starts only after them, so no two ever touch AI Hub at once. */
  #dying: Promise<void> = Promise.resolve();
  #nextId = 1;

  constructor(readonly options: AihubClientOptions) {}

  /** Sends one request and waits for its answer; the helper's refusal rejects with AihubFault. */
  async request<T>(op: string, args: Record<string, unknown>, o: RequestOptions = {}): Promise<T> {
    if (o.signal?.aborted) throw cancelled(op);
    const helper = await this.#start();
    if (o.signal?.aborted) throw cancelled(op);
    const id = this.#nextId++;
    const answer = new Promise<unknown>((resolve, reject) => helper.pending.set(id, { op, resolve, reject }));
    const timeoutMs = o.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    let timer: NodeJS.Timeout | undefined;
    let onAbort: (() => void) | undefined;
    const stopped = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        this.#kill(helper);
        reject(new LpcvError(AIHUB_CODES.infrastructure, `the AI Hub helper did not answer ${op} within ${timeoutMs} ms`));
      }, timeoutMs);
      onAbort = () => {
        this.#kill(helper);
        reject(cancelled(op));
      };
      o.signal?.addEventListener('abort', onAbort, { once: true });
    });
    helper.proc.stdin!.write(`${JSON.stringify({ id, op, args })}\n`);
    try {
      return (await Promise.race([answer, stopped])) as T;
    } finally {
      clearTimeout(timer);
      if (onAbort) o.signal?.removeEventListener('abort', onAbort);
      helper.pending.delete(id);
    }
  }

  /** Ends the helper (it finishes the requests it has read) and waits for it, and for any killed one, to exit. */
  async close(): Promise<void> {
    const slot = this.#slot;
    this.#slot = undefined;
    if (slot !== undefined) {
      const helper = await slot.ready;
      helper.proc.stdin!.end();
      await helper.exited;
    }
    await this.#dying;
  }

  #start(): Promise<Helper> {
    if (this.#slot !== undefined) return this.#slot.ready;
    const slot: { ready?: Promise<Helper>; helper?: Helper } = {};
    slot.ready = this.#dying.then(() => (slot.helper = this.#spawn()));
    this.#slot = slot as Slot;
    return slot.ready;
  }

  #spawn(): Helper {
    const proc = execa(this.options.python, [HELPER_PATH], {
      stdin: 'pipe',
      stdout: 'pipe',
      stderr: 'pipe',
      buffer: false,
      reject: false,
      env: { PYTHONUNBUFFERED: '1', ...this.options.env },
    });
    const pending = new Map<number, Pending>();
    const stderr = tailBuffer();
    proc.stderr!.on('data', (b: Buffer) => stderr.push(b));
    createInterface({ input: proc.stdout! }).on('line', (line) => onLine(pending, line));
    const helper: Helper = {
      proc,
      pending,
      exited: proc.then((r) => {
        this.#forget(helper);
        const why = r.failed && r.cause instanceof Error ? r.cause.message : `exit ${r.exitCode ?? r.signal}`;
        const err = new LpcvError(
          AIHUB_CODES.infrastructure,
          `the AI Hub helper (${this.options.python}) stopped (${why}): ${stderr.result().text.trim().split('\n').slice(-3).join(' | ')}`,
        );
        for (const p of pending.values()) p.reject(err);
      }),
    };
    return helper;
  }

  /** Kills a helper (a blocking upload cannot be interrupted any other way); the next request starts a fresh one. */
  #kill(helper: Helper): void {
    helper.proc.kill('SIGKILL');
    this.#forget(helper);
    this.#dying = Promise.all([this.#dying, helper.exited]).then(() => undefined);
  }

  #forget(helper: Helper): void {
    if (this.#slot?.helper === helper) this.#slot = undefined;
  }
}

function onLine(pending: Map<number, Pending>, line: string): void {
  let a: Answer;
  try {
    a = JSON.parse(line) as Answer;
  } catch {
    return;
  }
  const p = pending.get(a.id);
  if (p === undefined) return;
  if (a.ok) p.resolve(a.result);
  else p.reject(new AihubFault(p.op, a.fault === 'submission' ? 'submission' : 'infrastructure', a.kind ?? 'Unknown', a.message ?? 'no message'));
}

function cancelled(op: string): LpcvError {
  return new LpcvError('LPCV_E_RUN_CANCELLED', `the AI Hub run was cancelled during ${op}`);
}
