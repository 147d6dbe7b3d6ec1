import { execa } from 'execa';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { listAgents } from '../../server/auth/index.js';
import { openDatabase } from '../../server/db/index.js';
import { LOCAL_AGENT_TOKEN_FILE } from '../../server/serve/local-agent-token.js';
import { expectOneLineError, lpcv } from '../../test/testing/run-lpcv.js';
import { startServe } from '../start-serve.js';

const BIN = fileURLToPath(new URL('../../bin/lpcv.js', import.meta.url));

/** `lpcv serve` with these arguments as a child process, once it has printed its URL; kill() stops it. */
async function startServeChild(args: string[]): Promise<{ child: ReturnType<typeof execa>; url: string; stderr: () => string }> {
  const child = execa(process.execPath, [BIN, 'serve', ...args], {
    reject: false,
    env: { LPCV_DATABASE_URL: '' },
    stdin: 'ignore',
    timeout: 60_000,
    // execa follows a kill() with SIGKILL after 5 s by default; on a loaded 2-core machine the server can take
    // longer than that to run its SIGTERM handler, which is not what these tests are about (it failed that way).
    forceKillAfterDelay: 30_000,
  });
  let stderr = '';
  const url = await new Promise<string>((resolve, reject) => {
    child.stderr!.on('data', (c: Buffer) => {
      stderr += c.toString('utf8');
      const m = /serving on (http:\/\/\S+)/.exec(stderr);
      if (m) resolve(m[1]!);
    });
    void child.then(() => reject(new Error(`lpcv serve exited early:\n${stderr}`)));
  });
  return { child, url, stderr: () => stderr };
}

describe('lpcv serve (the command)', () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'lpcv-serve-cli-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('prints its URL on stderr, answers, and stops cleanly on SIGTERM', async () => {
    const { child, url } = await startServeChild(['--port', '0', '--data-dir', dataDir, '--no-baselines']);
    const res = await fetch(`${url}/api/nothing-here`);
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ error: { code: 'LPCV_E_ROUTE_UNKNOWN' } });
    child.kill('SIGTERM');
    const done = await child;
    expect({ exitCode: done.exitCode, signal: done.signal }, String(done.stderr)).toEqual({ exitCode: 0, signal: undefined });
    expect(String(done.stderr)).toMatch(/SIGTERM: stopping[\s\S]*stopped/);
    // Where to look once the baselines run: every track's leaderboard.
    expect(String(done.stderr)).toContain(
      `lpcv: leaderboards: ${url}/leaderboard/fashion-det  ${url}/leaderboard/fashion-mnist  ${url}/leaderboard/fashion-seg\n`,
    );
  }, 60_000);

  it('refuses a bad port with one coded line and exit 2', async () => {
    const r = await execa(process.execPath, [BIN, 'serve', '--port', '70000', '--data-dir', dataDir], {
      reject: false,
      env: { LPCV_DATABASE_URL: '' },
      stdin: 'ignore',
    });
    expect(r.exitCode).toBe(2);
    expect(String(r.stderr).trim()).toMatch(/^lpcv: LPCV_E_USAGE: port 70000 is not a TCP port/);
  }, 30_000);

  it('refuses a bad --baseline-trials with one coded line and exit 2, before anything opens', async () => {
    for (const value of ['0', '101', 'x']) {
      const r = await lpcv(['serve', '--port', '0', '--data-dir', path.join(dataDir, 'never-made'), '--baseline-trials', value]);
      expect(r.exitCode, r.stderr).toBe(2);
      expect(expectOneLineError(r)).toEqual({ code: 'LPCV_E_USAGE', message: `--baseline-trials expects an integer from 1 to 100, got "${value}"` });
    }
    expect(existsSync(path.join(dataDir, 'never-made'))).toBe(false);
  }, 60_000);

  it('refuses a bad --public-url with one coded line and exit 2, before anything opens', async () => {
    for (const value of ['lpcv.example.org', 'ftp://lpcv.example.org', 'https://user:pw@lpcv.example.org', 'https://lpcv.example.org/?x=1']) {
      const r = await lpcv(['serve', '--port', '0', '--data-dir', path.join(dataDir, 'never-made-2'), '--public-url', value]);
      expect(expectOneLineError(r).code, value).toBe('LPCV_E_USAGE');
    }
    expect(existsSync(path.join(dataDir, 'never-made-2'))).toBe(false);
  }, 60_000);

  it('behind a TLS proxy (--public-url https://...) marks the login cookies Secure, and names the public address', async () => {
    const { child, url, stderr } = await startServeChild([
      '--port',
      '0',
      '--data-dir',
      dataDir,
      '--no-baselines',
      '--no-local-agent',
      '--public-url',
      'https://lpcv.example.org/',
    ]);
    try {
      expect(stderr()).toContain('open https://lpcv.example.org/ in a browser (login cookies marked Secure');
      const res = await fetch(`${url}/login`);
      const cookies = res.headers.getSetCookie();
      expect(cookies.length).toBeGreaterThan(0);
      for (const c of cookies) expect(c).toMatch(/; Secure/i);
    } finally {
      child.kill('SIGTERM');
      await child;
    }
  }, 60_000);

  it('reuses the local agent and its kept token across restarts', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'lpcv-serve-token-'));
    try {
      const options = { port: 0, dataDir: dir, localAgent: true, log: () => {}, env: {} };
      await (await startServe(options)).close();
      const first = readFileSync(path.join(dir, LOCAL_AGENT_TOKEN_FILE), 'utf8');
      await (await startServe(options)).close();
      expect(readFileSync(path.join(dir, LOCAL_AGENT_TOKEN_FILE), 'utf8')).toBe(first);
      const db = await openDatabase({ client: 'sqlite', filename: path.join(dir, 'lpcv.sqlite') });
      try {
        const agents = await listAgents(db);
        expect(agents.map((a) => [a.name, a.tokens.length])).toEqual([['local-desktop', 1]]);
      } finally {
        await db.destroy();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);
});
