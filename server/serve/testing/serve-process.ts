/**
 * For tests (not used by the server): `lpcv serve` as a real child process (node bin/lpcv.js serve), its
 * URL read from its stderr, and the HTTP calls a test makes against it as a team or as a device agent.
 */
import { execa, type ResultPromise } from 'execa';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { openDatabase, type Db } from '../../db/index.js';

const BIN = fileURLToPath(new URL('../../../bin/lpcv.js', import.meta.url));

export interface ServeProcess {
  readonly url: string;
  readonly pid: number;
  /** Everything the server wrote on stderr so far. */
  stderr(): string;
  /** Resolves once a line of stderr matches (rejects when the server exits first, or after timeoutMs). */
  waitForLog(pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray>;
  /** SIGKILL: no clean-up of any kind runs. Resolves once the process is gone. */
  kill9(): Promise<void>;
  /** SIGTERM, the clean stop; resolves with the exit code. */
  stop(): Promise<number | undefined>;
}

/** Starts `lpcv serve --port 0 --data-dir <dataDir> ...args` and waits for "serving on <url>". */
export async function startServeProcess(dataDir: string, args: readonly string[], timeoutMs = 60_000): Promise<ServeProcess> {
  const child: ResultPromise = execa(process.execPath, [BIN, 'serve', '--port', '0', '--data-dir', dataDir, ...args], {
    reject: false,
    env: { LPCV_DATABASE_URL: '' },
    stdin: 'ignore',
    stdout: 'ignore',
    timeout: 600_000,
    // execa's default SIGKILLs 5 s after a SIGTERM; a clean stop may take the local agent's 10 s grace
    // period plus the HTTP server's 5 s.
    forceKillAfterDelay: 30_000,
  });
  let stderr = '';
  const listeners = new Set<() => void>();
  child.stderr!.on('data', (c: Buffer) => {
    stderr += c.toString('utf8');
    for (const l of listeners) l();
  });
  let exited = false;
  const exit = child.then((r) => {
    exited = true;
    for (const l of listeners) l();
    return r;
  });

  const waitForLog = (pattern: RegExp, ms: number): Promise<RegExpMatchArray> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => done(new Error(`no line matching ${pattern} within ${ms} ms; the server's stderr:\n${stderr}`)), ms);
      const check = (): void => {
        const m = pattern.exec(stderr);
        if (m) done(undefined, m);
        else if (exited) done(new Error(`lpcv serve exited before a line matched ${pattern}; its stderr:\n${stderr}`));
      };
      const done = (e: Error | undefined, m?: RegExpMatchArray): void => {
        clearTimeout(timer);
        listeners.delete(check);
        if (e) reject(e);
        else resolve(m!);
      };
      listeners.add(check);
      check();
    });

  const url = (await waitForLog(/serving on (http:\/\/\S+)/, timeoutMs))[1]!;
  return {
    url,
    pid: child.pid!,
    stderr: () => stderr,
    waitForLog,
    async kill9() {
      child.kill('SIGKILL');
      const r = await exit;
      if (r.signal !== 'SIGKILL') throw new Error(`lpcv serve ended with ${r.signal ?? `exit code ${r.exitCode}`}, not SIGKILL`);
    },
    async stop() {
      child.kill('SIGTERM');
      return (await exit).exitCode;
    },
  };
}

/** The pids whose parent is `pid` (Linux /proc). */
export function childPids(pid: number): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // /proc/<pid>/stat: "pid (comm) state ppid ..."; comm may contain spaces and parentheses.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) found.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return found;
}

/** Whether a process of that pid exists (and is not a zombie). */
export function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

/** Polls `probe` every `everyMs` until it returns a value other than undefined; rejects after `timeoutMs`. */
export async function pollUntil<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number, everyMs = 250): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** A JSON request with a bearer token. */
export async function callJson(url: string, token: string, method: string, route: string, body?: unknown): Promise<{ status: number; body: unknown }> {
  const headers: Record<string, string> = { authorization: `Bearer ${token}` };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${url}${route}`, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  const text = await res.text();
  return { status: res.status, body: text === '' ? undefined : (JSON.parse(text) as unknown) };
}

/** POST /api/submissions: one model file on a track; returns the submission id. */
export async function submitModel(url: string, teamToken: string, track: string, bytes: Uint8Array, filename: string): Promise<string> {
  const form = new FormData();
  form.append('track', track);
  form.append('file', new Blob([bytes]), filename);
  const res = await fetch(`${url}/api/submissions`, { method: 'POST', body: form, headers: { authorization: `Bearer ${teamToken}` } });
  const body = (await res.json()) as { id?: string; error?: unknown };
  if (res.status !== 201 || body.id === undefined) throw new Error(`the submission was refused: ${res.status} ${JSON.stringify(body)}`);
  return body.id;
}

/** Runs `fn` on the SQLite database of a serve data folder (the server running or not), then closes it. */
export async function withDatabase<T>(dir: string, fn: (db: Db) => Promise<T>): Promise<T> {
  const db = await openDatabase({ client: 'sqlite', filename: path.join(dir, 'lpcv.sqlite') });
  try {
    return await fn(db);
  } finally {
    await db.destroy();
  }
}
