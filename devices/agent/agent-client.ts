import { LpcvError } from '../../errors/lpcv-error.js';
import { ERROR_CODES, type ErrorCode } from '../../errors/codes.js';

/** The server could not be reached (connection refused, reset, DNS, a timeout) or answered 5xx/502-504. */
export class ServerAwayError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ServerAwayError';
  }
}

/** A JSON answer: its status and parsed body (undefined when empty). */
export interface JsonAnswer {
  readonly status: number;
  readonly body: unknown;
  /** The `LPCV-Device-State` header of lease answers (idle, busy, draining), when the server sends one. */
  readonly deviceState?: string;
}

/** One request's time limit: a completion is scored before the server answers. */
const REQUEST_TIMEOUT_MS = 120_000;

/**
 * The agent's side of the Agent API (docs/api.md): bearer-authenticated JSON requests and downloads
 * against one server. A fetch that fails (no server) or a 502/503/504 is ServerAwayError, which the loop
 * answers with a backoff; an error answer with a coded body becomes that LpcvError.
 */
export class AgentClient {
  constructor(
    readonly serverUrl: string,
    private readonly token: string,
  ) {}

  /** A JSON request; `ok` lists the statuses that are answers rather than errors (200 always is). */
  async json(method: 'GET' | 'POST', route: string, body?: unknown, ok: readonly number[] = []): Promise<JsonAnswer> {
    const res = await this.fetch(route, {
      method,
      headers: { authorization: `Bearer ${this.token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text().catch(() => '');
    let parsed: unknown;
    try {
      parsed = text === '' ? undefined : (JSON.parse(text) as unknown);
    } catch {
      parsed = undefined;
    }
    if (res.status === 200 || ok.includes(res.status)) {
      const deviceState = res.headers.get('lpcv-device-state') ?? undefined;
      return { status: res.status, body: parsed, ...(deviceState !== undefined ? { deviceState } : {}) };
    }
    throw errorOfAnswer(res.status, parsed, `${method} ${route}`);
  }

  /** A download's response (status 200 checked); the caller reads the body. */
  async download(route: string): Promise<Response> {
    const res = await this.fetch(route, { method: 'GET', headers: { authorization: `Bearer ${this.token}` } });
    if (res.status === 200) return res;
    const text = await res.text().catch(() => '');
    let parsed: unknown;
    try {
      parsed = JSON.parse(text) as unknown;
    } catch {
      parsed = undefined;
    }
    throw errorOfAnswer(res.status, parsed, `GET ${route}`);
  }

  private async fetch(route: string, init: RequestInit): Promise<Response> {
    const url = new URL(route, this.serverUrl);
    let res: Response;
    try {
      res = await fetch(url, { ...init, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
    } catch (e) {
      const cause = e instanceof Error && e.cause instanceof Error ? `: ${e.cause.message}` : '';
      throw new ServerAwayError(`${init.method ?? 'GET'} ${url.href} failed (${e instanceof Error ? e.message : String(e)}${cause})`);
    }
    if (res.status === 502 || res.status === 503 || res.status === 504) {
      await res.body?.cancel().catch(() => {});
      throw new ServerAwayError(`${init.method ?? 'GET'} ${url.href} answered ${res.status}`);
    }
    return res;
  }
}

/** The coded error of an error answer (`{error: {code, message}}`), else LPCV_E_INTERNAL naming the status. */
function errorOfAnswer(status: number, body: unknown, what: string): LpcvError {
  const error = typeof body === 'object' && body !== null && 'error' in body ? (body as { error: unknown }).error : undefined;
  if (typeof error === 'object' && error !== null) {
    const { code, message } = error as { code?: unknown; message?: unknown };
    if (typeof code === 'string' && Object.hasOwn(ERROR_CODES, code)) {
      return new LpcvError(code as ErrorCode, `${what}: ${typeof message === 'string' ? message : `HTTP ${status}`}`, { status });
    }
  }
  return new LpcvError('LPCV_E_INTERNAL', `${what}: unexpected HTTP ${status} from the server`, { status });
}
