import { readFileSync } from 'node:fs';
import { ERROR_CODES, type ErrorCode } from '../errors/codes.js';
import { LpcvError } from '../errors/lpcv-error.js';

/**
 * What the commands that talk to a running competition server (`lpcv submit`, `lpcv agent`) share: the
 * --server URL, the token options, and how the server's answers and network failures become coded errors.
 */

/**
 * The --server option: an http(s) URL, maybe with a path prefix (a server behind a proxy at
 * https://host/lpcv/). Routes are resolved under it. Anything else is LPCV_E_USAGE, before any request.
 */
export function parseServerUrl(value: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new LpcvError('LPCV_E_USAGE', `--server expects a URL such as http://127.0.0.1:8080, got ${JSON.stringify(value)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new LpcvError('LPCV_E_USAGE', `--server must be an http:// or https:// URL, got ${JSON.stringify(value)}`);
  }
  if (url.username !== '' || url.password !== '') {
    throw new LpcvError('LPCV_E_USAGE', '--server must not carry a user name or password: the token goes in LPCV_TOKEN / --token-file');
  }
  if (url.search !== '' || url.hash !== '') throw new LpcvError('LPCV_E_USAGE', `--server must not have a query or fragment, got ${JSON.stringify(value)}`);
  if (!url.pathname.endsWith('/')) url.pathname = `${url.pathname}/`;
  return url;
}

/** A route of the API under the server's URL (keeping its path prefix): apiUrl(base, 'api/submissions'). */
export function apiUrl(server: URL, route: string): URL {
  return new URL(route.replace(/^\/+/, ''), server);
}

export interface TokenOptions {
  readonly token?: string;
  readonly tokenFile?: string;
}

/**
 * The bearer token from --token or --token-file (at most one of them), else from the environment variable
 * `envName`. A command line is visible to every user of the machine (ps, /proc/<pid>/cmdline) and lands in
 * shell histories, so the documented ways are the environment and a file; --token stays for scripts that
 * have no other way.
 */
export function resolveToken(o: TokenOptions, envName: string, env: Readonly<Record<string, string | undefined>> = process.env): string {
  if (o.token !== undefined && o.tokenFile !== undefined) throw new LpcvError('LPCV_E_USAGE', 'give --token or --token-file, not both');
  let token: string;
  let from: string;
  if (o.token !== undefined) {
    token = o.token.trim();
    from = '--token';
  } else if (o.tokenFile !== undefined) {
    token = readTokenFile(o.tokenFile);
    from = `--token-file ${o.tokenFile}`;
  } else {
    const value = env[envName];
    if (value === undefined || value.trim() === '') {
      throw new LpcvError('LPCV_E_USAGE', `no token: set ${envName} or pass --token-file <file> (or --token <token>)`);
    }
    token = value.trim();
    from = envName;
  }
  if (token === '') throw new LpcvError('LPCV_E_USAGE', `the token from ${from} is empty`);
  if (/\s/.test(token)) throw new LpcvError('LPCV_E_USAGE', `the token from ${from} holds whitespace: expected one token such as lpcv_team_...`);
  return token;
}

function readTokenFile(file: string): string {
  try {
    return readFileSync(file, 'utf8').trim();
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new LpcvError('LPCV_E_FILE_NOT_FOUND', `token file not found: ${file}`);
    throw new LpcvError('LPCV_E_USAGE', `cannot read the token file ${file}: ${(e as Error).message}`);
  }
}

/**
 * The coded error of an error answer. The API answers `{error: {code, message}}` (docs/api.md); a code
 * this lpcv knows becomes that LpcvError, so that the command exits with its documented exit code. A code
 * it does not know (a newer server) is LPCV_E_SERVER_RESPONSE keeping the server's code in the message; a
 * body that is not JSON, or JSON without a code (a proxy's error page), is LPCV_E_SERVER_RESPONSE too.
 */
export function errorOfAnswer(status: number, contentType: string | undefined, text: string, what: string): LpcvError {
  const body = parseJson(text);
  if (body === undefined) return notTheApi(status, contentType, text, what);
  const error = typeof body === 'object' && body !== null && 'error' in body ? (body as { error: unknown }).error : undefined;
  const coded = codedError(error, '', { status });
  if (coded !== undefined) return coded;
  return new LpcvError('LPCV_E_SERVER_RESPONSE', `${what}: the server answered HTTP ${status} without an error code`, { status });
}

/**
 * `{code, message}` (an error answer's, or a failed job's) as an LpcvError: a known code as itself, an
 * unknown one as LPCV_E_SERVER_RESPONSE naming it; undefined when it is not such an object.
 */
export function codedError(error: unknown, prefix = '', detail?: Record<string, unknown>): LpcvError | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { code, message } = error as { code?: unknown; message?: unknown };
  if (typeof code !== 'string') return undefined;
  const text = typeof message === 'string' && message !== '' ? message : 'no message';
  if (Object.hasOwn(ERROR_CODES, code)) return new LpcvError(code as ErrorCode, `${prefix}${text}`, detail);
  return new LpcvError('LPCV_E_SERVER_RESPONSE', `${prefix}the server answered ${code}, a code this lpcv does not know (a newer server?): ${text}`, {
    ...detail,
    serverCode: code,
  });
}

/** A 2xx answer whose body is not the JSON the API promises. */
export function notTheApi(status: number, contentType: string | undefined, text: string, what: string): LpcvError {
  const start = text.replace(/\s+/g, ' ').trim().slice(0, 80);
  return new LpcvError(
    'LPCV_E_SERVER_RESPONSE',
    `${what}: the server answered HTTP ${status} with ${contentType ? contentType.split(';')[0] : 'no content type'}, not the API's JSON${start ? ` ("${start}${text.length > 80 ? '...' : ''}")` : ''}: is --server the competition server?`,
    { status },
  );
}

export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** Network error codes that mean the server is not there (or not now). */
const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_SOCKET',
]);

/** A failed request (no answer at all: refused, DNS, timeout, TLS) as LPCV_E_SERVER_UNREACHABLE. */
export function unreachable(e: unknown, what: string, server: URL): LpcvError {
  return new LpcvError('LPCV_E_SERVER_UNREACHABLE', `${what}: cannot reach the server at ${server.origin} (${describeNetworkError(e)})`);
}

export function describeNetworkError(e: unknown): string {
  // fetch wraps the socket's error: TypeError('fetch failed', {cause}).
  const inner = e instanceof Error && e.cause instanceof Error ? e.cause : e;
  if (inner instanceof Error && inner.name === 'TimeoutError') return 'no answer in time';
  const code = (inner as NodeJS.ErrnoException | undefined)?.code;
  const message = inner instanceof Error ? inner.message : String(inner);
  if (code === 'ECONNREFUSED') return 'connection refused: is it running, on that port?';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return `no such host (${message})`;
  return code !== undefined && !message.includes(code) ? `${code}: ${message}` : message;
}

export function isNetworkError(e: unknown): boolean {
  const inner = e instanceof Error && e.cause instanceof Error ? e.cause : e;
  if (inner instanceof Error && (inner.name === 'TimeoutError' || inner.name === 'AbortError')) return true;
  const code = (inner as NodeJS.ErrnoException | undefined)?.code;
  return (
    (code !== undefined && (UNREACHABLE_CODES.has(code) || code.startsWith('ERR_TLS') || /CERT|SSL/.test(code))) ||
    (e instanceof TypeError && e.message === 'fetch failed')
  );
}
