import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { authenticate, disableAgent, listAgents } from '../../server/auth/index.js';
import { openDatabase } from '../../server/db/index.js';
import { expectOneLineError } from '../testing/run-lpcv.js';
import { lpcvWithEnv } from '../testing/spawn-lpcv.js';

const AGENT_TOKEN = /^lpcv_agent_[A-Za-z0-9_-]{43}$/;

async function withDb<T>(dataDir: string, work: (db: Awaited<ReturnType<typeof openDatabase>>) => Promise<T>): Promise<T> {
  const db = await openDatabase({ client: 'sqlite', filename: path.join(dataDir, 'lpcv.sqlite') });
  try {
    return await work(db);
  } finally {
    await db.destroy();
  }
}

/** `lpcv admin agent token`: what docker-compose's init service runs at every `up`. */
describe('lpcv admin agent token', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'lpcv-agent-token-'));
  const dataDir = path.join(dir, 'data');
  const out = path.join(dir, 'secrets', 'agent.token');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('--create --out: adds the agent once, writes a working token (mode 0600), and keeps it on the next run', async () => {
    const first = await lpcvWithEnv(['admin', 'agent', 'token', 'compose-agent', '--create', '--out', out, '--data-dir', dataDir, '--json']);
    expect(first.exitCode, first.stderr).toBe(0);
    expect(JSON.parse(first.stdout)).toEqual({ id: expect.any(Number), name: 'compose-agent', file: out, issued: true, created: true });
    const token = readFileSync(out, 'utf8').trim();
    expect(token).toMatch(AGENT_TOKEN);
    expect(statSync(out).mode & 0o777).toBe(0o600);
    expect(first.stdout).not.toContain(token);
    expect(await withDb(dataDir, async (db) => (await authenticate(db, token, 'agent', Date.now()))?.ownerName)).toBe('compose-agent');

    const second = await lpcvWithEnv(['admin', 'agent', 'token', 'compose-agent', '--create', '--out', out, '--data-dir', dataDir, '--json']);
    expect(second.exitCode, second.stderr).toBe(0);
    expect(JSON.parse(second.stdout)).toMatchObject({ issued: false, created: false });
    expect(readFileSync(out, 'utf8').trim()).toBe(token);
    const agents = await withDb(dataDir, (db) => listAgents(db));
    expect(agents.map((a) => [a.name, a.tokens.length])).toEqual([['compose-agent', 1]]);
  });

  it('replaces a token in the file that no longer works (e.g. a fresh database), and prints a new one without --out', async () => {
    writeFileSync(out, 'lpcv_agent_revoked-or-from-another-database\n');
    const r = await lpcvWithEnv(['admin', 'agent', 'token', 'compose-agent', '--out', out, '--data-dir', dataDir]);
    expect(r.exitCode, r.stderr).toBe(0);
    const token = readFileSync(out, 'utf8').trim();
    expect(token).toMatch(AGENT_TOKEN);
    expect(await withDb(dataDir, async (db) => (await authenticate(db, token, 'agent', Date.now()))?.ownerName)).toBe('compose-agent');

    const printed = await lpcvWithEnv(['admin', 'agent', 'token', 'COMPOSE-AGENT', '--data-dir', dataDir]);
    expect(printed.exitCode, printed.stderr).toBe(0);
    expect(printed.stdout.trim()).toMatch(AGENT_TOKEN);
    expect(printed.stdout.trim()).not.toBe(token);
    // The earlier token stays valid: a new one is added, none is revoked.
    expect(await withDb(dataDir, async (db) => (await authenticate(db, token, 'agent', Date.now())) !== null)).toBe(true);
  });

  it('refuses an unknown agent without --create, and a disabled agent, with LPCV_E_USAGE', async () => {
    const unknown = await lpcvWithEnv(['admin', 'agent', 'token', 'nobody', '--data-dir', dataDir]);
    expect(unknown.exitCode).toBe(2);
    expect(expectOneLineError(unknown)).toMatchObject({ code: 'LPCV_E_USAGE', message: expect.stringContaining('--create') as unknown });

    await withDb(dataDir, async (db) => {
      const agent = (await listAgents(db)).find((a) => a.name === 'compose-agent')!;
      await disableAgent(db, agent.id, Date.now());
    });
    const disabled = await lpcvWithEnv(['admin', 'agent', 'token', 'compose-agent', '--create', '--out', path.join(dir, 'other.token'), '--data-dir', dataDir]);
    expect(disabled.exitCode).toBe(2);
    expect(expectOneLineError(disabled)).toMatchObject({ code: 'LPCV_E_USAGE', message: expect.stringContaining('disabled') as unknown });
  });
});
