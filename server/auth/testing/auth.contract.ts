/**
 * The auth module's behavioural contract, run unchanged on a SQLite file (auth.sqlite.test.ts) and on
 * PostgreSQL (auth.postgres.test.ts). Every test uses names no other test uses, so the tests of one file
 * share a database; a failed run keeps it for inspection.
 */
import { describe, expect, it } from 'vitest';
import { LpcvError } from '../../../errors/lpcv-error.js';
import type { Db } from '../../db/index.js';
import type { TestDatabase } from '../../db/testing/databases.js';
import { useTestDatabase } from '../../db/testing/suite-hooks.js';
import {
  LAST_USED_RESOLUTION_MS,
  authenticate,
  createAgent,
  createTeam,
  disableAgent,
  hashToken,
  issueToken,
  listAgents,
  listTeams,
  revokeToken,
} from '../index.js';

const T0 = 1_800_000_000_000;
const TEAM_TOKEN = /^lpcv_team_[A-Za-z0-9_-]{43}$/;
const AGENT_TOKEN = /^lpcv_agent_[A-Za-z0-9_-]{43}$/;

let names = 0;
const uniqueName = (base: string): string => `${base} ${++names}`;

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    if (e instanceof LpcvError) return e.code;
    throw e;
  }
  throw new Error('expected a coded error');
}

/** Every value in every row of every table of the database, as text. */
async function everyStoredValue(db: Db): Promise<string[]> {
  const tables =
    db.dialect === 'sqlite'
      ? ((await db('sqlite_master').where('type', 'table').pluck('name')) as string[])
      : ((await db('information_schema.tables').whereRaw('table_schema = current_schema()').pluck('table_name')) as string[]);
  expect(tables).toEqual(expect.arrayContaining(['teams', 'agents', 'tokens']));
  const values: string[] = [];
  for (const table of tables) {
    for (const row of (await db(table).select('*')) as Array<Record<string, unknown>>) values.push(...Object.values(row).map(String));
  }
  return values;
}

export function authContract(backend: TestDatabase): void {
  describe(`auth on ${backend.name}`, () => {
    let db: Db;
    useTestDatabase(backend, { setUp: async () => void (db = await backend.open()) });

    it('creates a team whose token authenticates as that team, and records when it was used', async () => {
      const name = uniqueName('Team Rocket');
      const team = await createTeam(db, name, T0);
      expect(team).toEqual({ id: expect.any(Number), name, token: expect.stringMatching(TEAM_TOKEN) });
      const who = await authenticate(db, team.token, 'team', T0 + 5);
      expect(who).toEqual({ kind: 'team', ownerId: team.id, ownerName: name, tokenId: expect.any(Number) });
      const row = (await db('tokens').where('id', who!.tokenId).first()) as Record<string, unknown>;
      expect(row).toMatchObject({ kind: 'team', owner_id: team.id, created_at: T0, last_used_at: T0 + 5, revoked_at: null, expires_at: null });
      expect(row.token_hash).toBe(hashToken(team.token));
      expect(row.prefix).toBe(team.token.slice(0, 'lpcv_team_'.length + 8));
    });

    it('moves last_used_at at most once a minute, and never back', async () => {
      const team = await createTeam(db, uniqueName('clock'), T0);
      const lastUsed = async (): Promise<unknown> => (await db('tokens').where('token_hash', hashToken(team.token)).first('last_used_at'))?.last_used_at;
      await authenticate(db, team.token, 'team', T0 + 1000);
      expect(await lastUsed()).toBe(T0 + 1000);
      await authenticate(db, team.token, 'team', T0 + 1000 + LAST_USED_RESOLUTION_MS - 1);
      expect(await lastUsed()).toBe(T0 + 1000);
      await authenticate(db, team.token, 'team', T0 + 1000 + LAST_USED_RESOLUTION_MS);
      expect(await lastUsed()).toBe(T0 + 1000 + LAST_USED_RESOLUTION_MS);
      expect(await authenticate(db, team.token, 'team', T0)).not.toBeNull();
      expect(await lastUsed()).toBe(T0 + 1000 + LAST_USED_RESOLUTION_MS);
    });

    it('refuses a wrong, malformed or missing token', async () => {
      const team = await createTeam(db, uniqueName('wrong'), T0);
      const secret = team.token.slice('lpcv_team_'.length);
      const flipped = `lpcv_team_${secret.slice(0, -1)}${secret.endsWith('A') ? 'B' : 'A'}`;
      const other = `lpcv_team_${'x'.repeat(43)}`;
      for (const bad of [flipped, other, `${team.token}x`, team.token.slice(0, -1), secret, team.token.toUpperCase(), '', null, undefined]) {
        expect(await authenticate(db, bad, 'team', T0), String(bad)).toBeNull();
      }
    });

    it('refuses a token of another kind: an agent token where a team token is wanted, and back', async () => {
      const team = await createTeam(db, uniqueName('kinds'), T0);
      const agent = await createAgent(db, uniqueName('pixel-4'), T0);
      expect(agent.token).toMatch(AGENT_TOKEN);
      expect(await authenticate(db, agent.token, 'agent', T0)).toMatchObject({ kind: 'agent', ownerId: agent.id, ownerName: agent.name });
      expect(await authenticate(db, agent.token, 'team', T0)).toBeNull();
      expect(await authenticate(db, team.token, 'agent', T0)).toBeNull();
      expect(await authenticate(db, team.token, 'session', T0)).toBeNull();
      // The same secret relabelled as another kind is another token (the hash covers the prefix).
      expect(await authenticate(db, team.token.replace('lpcv_team_', 'lpcv_agent_'), 'agent', T0)).toBeNull();
    });

    it('refuses a revoked token and keeps the others of the same owner', async () => {
      const team = await createTeam(db, uniqueName('revoked'), T0);
      const second = await issueToken(db, { kind: 'team', ownerId: team.id }, T0 + 1);
      expect(second.token).toMatch(TEAM_TOKEN);
      expect(await authenticate(db, second.token, 'team', T0 + 2)).toMatchObject({ ownerId: team.id, tokenId: second.id });

      expect(await revokeToken(db, { token: team.token }, T0 + 3)).toBe(true);
      expect(await revokeToken(db, { token: team.token }, T0 + 4)).toBe(false);
      expect(await authenticate(db, team.token, 'team', T0 + 5)).toBeNull();
      expect(await authenticate(db, second.token, 'team', T0 + 5)).not.toBeNull();

      expect(await revokeToken(db, { id: second.id }, T0 + 6)).toBe(true);
      expect(await authenticate(db, second.token, 'team', T0 + 7)).toBeNull();
      expect(await revokeToken(db, { id: 987_654_321 }, T0)).toBe(false);
    });

    it('issues session tokens for a team that stop working when they expire', async () => {
      const team = await createTeam(db, uniqueName('web'), T0);
      const session = await issueToken(db, { kind: 'session', ownerId: team.id, expiresAt: T0 + 1000 }, T0);
      expect(session.token).toMatch(/^lpcv_session_[A-Za-z0-9_-]{43}$/);
      expect(await authenticate(db, session.token, 'session', T0 + 999)).toEqual({
        kind: 'session',
        ownerId: team.id,
        ownerName: team.name,
        tokenId: session.id,
      });
      expect(await authenticate(db, session.token, 'session', T0 + 1000)).toBeNull();
      expect(await authenticate(db, session.token, 'team', T0)).toBeNull();
      await expect(issueToken(db, { kind: 'session', ownerId: 987_654_321 }, T0)).rejects.toThrow(/no team with id 987654321/);
      await expect(issueToken(db, { kind: 'agent', ownerId: team.id + 987_654_321 }, T0)).rejects.toThrow(/no agent/);
    });

    it("refuses a disabled agent's tokens", async () => {
      const agent = await createAgent(db, uniqueName('jetson'), T0);
      expect(await disableAgent(db, agent.id, T0 + 1)).toBe(true);
      expect(await disableAgent(db, agent.id, T0 + 2)).toBe(false);
      expect(await authenticate(db, agent.token, 'agent', T0 + 3)).toBeNull();
      expect((await listAgents(db)).find((a) => a.id === agent.id)).toMatchObject({ disabledAt: T0 + 1 });
    });

    it('never stores a token in clear', async () => {
      const team = await createTeam(db, uniqueName('secret'), T0);
      const agent = await createAgent(db, uniqueName('secret'), T0);
      const extra = await issueToken(db, { kind: 'team', ownerId: team.id }, T0);
      const session = await issueToken(db, { kind: 'session', ownerId: team.id, expiresAt: T0 + 1 }, T0);
      await authenticate(db, team.token, 'team', T0);
      const values = await everyStoredValue(db);
      for (const token of [team.token, agent.token, extra.token, session.token]) {
        const secret = token.slice(token.indexOf('_', 5) + 1);
        expect(secret).toHaveLength(43);
        // Only the display prefix's 8 characters of the secret may appear anywhere.
        expect(
          values.filter((v) => v.includes(secret.slice(0, 9))),
          token,
        ).toEqual([]);
        expect(values).toContain(hashToken(token));
      }
    });

    it('checks names, and refuses a name taken in any letter case, leaving nothing behind', async () => {
      const name = uniqueName('Dup.Team_x-1');
      const first = await createTeam(db, name, T0);
      const teamsBefore = await db('teams').count({ n: '*' });
      const tokensBefore = await db('tokens').count({ n: '*' });
      expect(await codeOf(createTeam(db, name, T0))).toBe('LPCV_E_NAME_TAKEN');
      await expect(createTeam(db, name.toUpperCase(), T0)).rejects.toThrow(/already exists \(as ".*": names are compared ignoring letter case\)/);
      expect(await db('teams').count({ n: '*' })).toEqual(teamsBefore);
      expect(await db('tokens').count({ n: '*' })).toEqual(tokensBefore);
      // Teams and agents are separate name spaces.
      expect((await createAgent(db, name, T0)).name).toBe(name);
      for (const bad of ['', ' lead', 'trail ', 'two  spaces', 'tab\there', 'semi;colon', 'émoji', 'x'.repeat(65)]) {
        expect(await codeOf(createTeam(db, bad, T0)), JSON.stringify(bad)).toBe('LPCV_E_NAME_INVALID');
      }
      expect(await authenticate(db, first.token, 'team', T0)).not.toBeNull();
    });

    it('lets exactly one of several concurrent adds of one name win', async () => {
      const name = uniqueName('race');
      const results = await Promise.allSettled(Array.from({ length: 6 }, () => createTeam(db, name, T0)));
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      for (const r of results) if (r.status === 'rejected') expect((r.reason as LpcvError).code).toBe('LPCV_E_NAME_TAKEN');
      expect(await db('teams').where('name', name).count({ n: '*' })).toEqual([{ n: 1 }]);
    });

    it('lists teams and agents with token prefixes, never tokens', async () => {
      const team = await createTeam(db, uniqueName('listed'), T0);
      const revoked = await issueToken(db, { kind: 'team', ownerId: team.id }, T0 + 1);
      await revokeToken(db, { id: revoked.id }, T0 + 2);
      await issueToken(db, { kind: 'session', ownerId: team.id }, T0 + 3);
      await authenticate(db, team.token, 'team', T0 + 4);
      const listed = (await listTeams(db)).find((t) => t.id === team.id);
      expect(listed).toEqual({
        id: team.id,
        name: team.name,
        createdAt: T0,
        tokens: [{ id: expect.any(Number), prefix: team.token.slice(0, 18), createdAt: T0, lastUsedAt: T0 + 4 }],
      });
      expect(JSON.stringify(await listTeams(db))).not.toContain(team.token);
      const agent = await createAgent(db, uniqueName('listed'), T0);
      expect((await listAgents(db)).find((a) => a.id === agent.id)).toMatchObject({
        name: agent.name,
        disabledAt: null,
        tokens: [{ prefix: agent.token.slice(0, 19) }],
      });
    });
  });
}
