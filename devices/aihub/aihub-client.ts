/**
 * The harness's side of aihub_helper.py's JSON-lines protocol (docs/aihub.md): one long-lived Python child per
 * device, one request per line with an id, answers matched by id. A request that is aborted or times out kills
 * the child (a blocking upload cannot be interrupted any other way); the next request starts a fresh one.
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

export class AihubClient {
  #child: ResultPromise | undefined;
  #pending = new Map<number, Pending>();
  #nextId = 1;

  constructor(readonly options: AihubClientOptions) {}

  /** Sends one request and waits for its answer; the helper's refusal rejects with AihubFault. */
  async request<T>(op: string, args: Record<string, unknown>, o: RequestOptions = {}): Promise<T> {
    if (o.signal?.aborted) throw cancelled(op);
    const child = this.#start();
    const id = this.#nextId++;
    const answer = new Promise<unknown>((resolve, reject) => this.#pending.set(id, { op, resolve, reject }));
    const timeoutMs = o.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    let timer: NodeJS.Timeout | undefined;
    let onAbort: (() => void) | undefined;
    const stopped = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        this.#kill();
        reject(new LpcvError(AIHUB_CODES.infrastructure, `the AI Hub helper did not answer ${op} within ${timeoutMs} ms`));
      }, timeoutMs);
      onAbort = () => {
        this.#kill();
        reject(cancelled(op));
      };
      o.signal?.addEventListener('abort', onAbort, { once: true });
    });
    child.stdin!.write(`${JSON.stringify({ id, op, args })}\n`);
    try {
      return (await Promise.race([answer, stopped])) as T;
    } finally {
      clearTimeout(timer);
      if (onAbort) o.signal?.removeEventListener('abort', onAbort);
      this.#pending.delete(id);
    }
  }

  async close(): Promise<void> {
    const child = this.#child;
    if (child === undefined) return;
    this.#child = undefined;
    child.stdin!.end();
    await child.catch(() => undefined);
  }

  #start(): ResultPromise {
    if (this.#child !== undefined) return this.#child;
    const child = execa(this.options.python, [HELPER_PATH], {
      stdin: 'pipe',
      stdout: 'pipe',
      stderr: 'pipe',
      buffer: false,
      reject: false,
      env: { PYTHONUNBUFFERED: '1', ...this.options.env },
    });
    this.#child = child;
    const stderr = tailBuffer();
    child.stderr!.on('data', (b: Buffer) => stderr.push(b));
    createInterface({ input: child.stdout! }).on('line', (line) => this.#onLine(line));
    void child.then((r) => {
      if (this.#child === child) this.#child = undefined;
      const why = r.failed && r.cause instanceof Error ? r.cause.message : `exit ${r.exitCode ?? r.signal}`;
      const err = new LpcvError(
        AIHUB_CODES.infrastructure,
        `the AI Hub helper (${this.options.python}) stopped (${why}): ${stderr.result().text.trim().split('\n').slice(-3).join(' | ')}`,
      );
      for (const p of this.#pending.values()) p.reject(err);
    });
    return child;
  }

  #onLine(line: string): void {
    let a: Answer;
    try {
      a = JSON.parse(line) as Answer;
    } catch {
      return;
    }
    const p = this.#pending.get(a.id);
    if (p === undefined) return;
    if (a.ok) p.resolve(a.result);
    else p.reject(new AihubFault(p.op, a.fault === 'submission' ? 'submission' : 'infrastructure', a.kind ?? 'Unknown', a.message ?? 'no message'));
  }

  #kill(): void {
    const child = this.#child;
    this.#child = undefined;
    child?.kill('SIGKILL');
  }
}

function cancelled(op: string): LpcvError {
  return new LpcvError('LPCV_E_RUN_CANCELLED', `the AI Hub run was cancelled during ${op}`);
}
