import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { authenticate } from '../../server/auth/index.js';
import { openDatabase } from '../../server/db/index.js';
import { postgresTestDatabase, POSTGRES_TEST_URL } from '../../server/db/testing/databases.js';
import { useTempDir, useTestDatabase } from '../../server/db/testing/suite-hooks.js';
import { expectOneLineError, lpcv } from '../testing/run-lpcv.js';

const TEAM_TOKEN = /^lpcv_team_[A-Za-z0-9_-]{43}$/;
const AGENT_TOKEN = /^lpcv_agent_[A-Za-z0-9_-]{43}$/;

/** The team or agent a token stands for, read straight from a database file as the server will. */
async function ownerOf(filename: string, token: string, kind: 'team' | 'agent'): Promise<string | undefined> {
  const db = await openDatabase({ client: 'sqlite', filename });
  try {
    return (await authenticate(db, token, kind, Date.now()))?.ownerName;
  } finally {
    await db.destroy();
  }
}

describe('lpcv admin on the embedded SQLite database', () => {
  const tmp = useTempDir('lpcv-admin-');
  let dataDir: string;
  beforeAll(() => void (dataDir = path.join(tmp(), 'fresh', 'data'))); // does not exist yet: the command creates it

  it('adds a team, prints its token once, and the token authenticates against the same file', async () => {
    const r = await lpcv(['admin', 'team', 'add', 'Team Rocket', '--data-dir', dataDir]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toMatch(TEAM_TOKEN); // one line, nothing else (execa strips the final newline)
    expect(r.stderr).toMatch(/team "Team Rocket" added \(id \d+\).*cannot be shown again/);
    const token = r.stdout.trim();
    expect(await ownerOf(path.join(dataDir, 'lpcv.sqlite'), token, 'team')).toBe('Team Rocket');
    expect(await ownerOf(path.join(dataDir, 'lpcv.sqlite'), token, 'agent')).toBeUndefined();

    const list = await lpcv(['admin', 'team', 'list', '--data-dir', dataDir]);
    expect(list.exitCode, list.stderr).toBe(0);
    expect(list.stdout).toContain('Team Rocket');
    expect(list.stdout).toContain(`${token.slice(0, 18)}...`);
    expect(list.stdout).not.toContain(token.slice(0, 19));
  });

  it('refuses a duplicate name (in any letter case) and a bad name with their codes', async () => {
    const dup = await lpcv(['admin', 'team', 'add', 'team ROCKET', '--data-dir', dataDir]);
    expect(dup.exitCode).toBe(2);
    expect(dup.stdout).toBe('');
    expect(expectOneLineError(dup)).toEqual({
      code: 'LPCV_E_NAME_TAKEN',
      message: 'a team named "team ROCKET" already exists (as "Team Rocket": names are compared ignoring letter case)',
    });

    const bad = await lpcv(['admin', 'agent', 'add', 'rm -rf /', '--data-dir', dataDir, '--json']);
    expect(bad.exitCode).toBe(2);
    expect(expectOneLineError(bad).code).toBe('LPCV_E_NAME_INVALID');
    expect(JSON.parse(bad.stdout)).toMatchObject({ error: { code: 'LPCV_E_NAME_INVALID' } });
  });

  it('adds an agent with --json and lists agents as JSON without tokens', async () => {
    const r = await lpcv(['admin', 'agent', 'add', 'pixel-4 lab 2', '--data-dir', dataDir, '--json']);
    expect(r.exitCode, r.stderr).toBe(0);
    const created = JSON.parse(r.stdout) as { id: number; name: string; token: string };
    expect(created).toEqual({ id: expect.any(Number), name: 'pixel-4 lab 2', token: expect.stringMatching(AGENT_TOKEN) });
    expect(await ownerOf(path.join(dataDir, 'lpcv.sqlite'), created.token, 'agent')).toBe('pixel-4 lab 2');

    const list = await lpcv(['admin', 'agent', 'list', '--data-dir', dataDir, '--json']);
    expect(list.exitCode, list.stderr).toBe(0);
    expect(list.stdout).not.toContain(created.token);
    expect(JSON.parse(list.stdout)).toEqual({
      agents: [
        {
          id: created.id,
          name: 'pixel-4 lab 2',
          createdAt: expect.any(Number),
          disabledAt: null,
          tokens: [{ id: expect.any(Number), prefix: created.token.slice(0, 19), createdAt: expect.any(Number), lastUsedAt: expect.any(Number) }],
        },
      ],
    });
  });

  it('refuses a database URL that is not PostgreSQL, and reports a database it cannot open', async () => {
    const r = await lpcv(['admin', 'team', 'list', '--database-url', 'mysql://db/x']);
    expect(r.exitCode).toBe(2);
    expect(expectOneLineError(r).code).toBe('LPCV_E_USAGE');
    const down = await lpcv(['admin', 'team', 'list', '--database-url', 'postgres://lpcv:hunter2@127.0.0.1:1/x']);
    expect(down.exitCode).toBe(1);
    expect(down.stderr).toMatch(/lpcv: LPCV_E_DATABASE_UNAVAILABLE: cannot open postgres:\/\/lpcv:\*\*\*@127\.0\.0\.1:1\/x: .*ECONNREFUSED/);
    expect(down.stderr).not.toContain('hunter2');
  });
});

describe('lpcv admin on PostgreSQL (--database-url)', () => {
  const database = postgresTestDatabase();
  useTestDatabase(database);

  it('adds a team there, with the same command and no code of its own', async () => {
    const config = database.config();
    if (config.client !== 'postgres' || config.schema === undefined) throw new Error('expected a PostgreSQL schema');
    const where = ['--database-url', POSTGRES_TEST_URL, '--database-schema', config.schema];
    const r = await lpcv(['admin', 'team', 'add', 'Postgres Team', ...where]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout.trim()).toMatch(TEAM_TOKEN);
    const db = await database.open();
    expect(await authenticate(db, r.stdout.trim(), 'team', Date.now())).toMatchObject({ kind: 'team', ownerName: 'Postgres Team' });
    await db.destroy();
    const dup = await lpcv(['admin', 'team', 'add', 'postgres team', ...where]);
    expect(dup.exitCode).toBe(2);
    expect(expectOneLineError(dup).code).toBe('LPCV_E_NAME_TAKEN');
  });
});
