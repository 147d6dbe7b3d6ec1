import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { LpcvError } from '../../../errors/lpcv-error.js';
import { checkName, createAgent, createTeam, listAgents, listTeams, type AgentSummary, type TeamSummary } from '../../../server/auth/index.js';
import { SCHEMA_NAME } from '../../../server/db/database-config.js';
import { openDatabase, type DatabaseConfig, type Db } from '../../../server/db/index.js';
import { table } from '../format.js';

export interface DatabaseOptions {
  /** The server's data folder; the embedded database is <dataDir>/lpcv.sqlite (default ./data). */
  readonly dataDir?: string;
  /** A PostgreSQL URL: use that database instead of the SQLite file (env LPCV_DATABASE_URL). */
  readonly databaseUrl?: string;
  /** A PostgreSQL schema (env LPCV_DATABASE_SCHEMA). */
  readonly databaseSchema?: string;
}

export const DATABASE_URL_ENV = 'LPCV_DATABASE_URL';
export const DATABASE_SCHEMA_ENV = 'LPCV_DATABASE_SCHEMA';
export const SQLITE_FILE = 'lpcv.sqlite';

/**
 * Which database the server's data lives in: PostgreSQL when a URL is given (option, then environment),
 * otherwise the embedded SQLite file in the data folder. Configuration, not a code fork.
 */
export function databaseConfigFrom(o: DatabaseOptions, env: Readonly<Record<string, string | undefined>> = process.env): DatabaseConfig {
  const url = o.databaseUrl ?? (env[DATABASE_URL_ENV] || undefined);
  const schema = o.databaseSchema ?? (env[DATABASE_SCHEMA_ENV] || undefined);
  if (url === undefined) {
    if (schema !== undefined) throw new LpcvError('LPCV_E_USAGE', `a database schema (--database-schema or ${DATABASE_SCHEMA_ENV}) needs a PostgreSQL --database-url`);
    return { client: 'sqlite', filename: path.join(path.resolve(o.dataDir ?? 'data'), SQLITE_FILE) };
  }
  if (!/^postgres(ql)?:\/\//.test(url)) {
    throw new LpcvError('LPCV_E_USAGE', `--database-url (or ${DATABASE_URL_ENV}) must be a PostgreSQL URL (postgres://user@host:5432/db); without it the database is <data-dir>/${SQLITE_FILE}`);
  }
  if (schema !== undefined && !SCHEMA_NAME.test(schema)) {
    throw new LpcvError('LPCV_E_USAGE', `database schema ${JSON.stringify(schema)} must be a lower-case identifier (${SCHEMA_NAME.source})`);
  }
  return { client: 'postgres', connectionString: url, poolMax: 2, ...(schema !== undefined ? { schema } : {}) };
}

/** Where a config points, for a message: the file, or the URL without its password. */
function describeDatabase(config: DatabaseConfig): string {
  if (config.client === 'sqlite') return config.filename;
  try {
    const url = new URL(config.connectionString);
    if (url.password !== '') url.password = '***';
    return `${url.href}${config.schema ? ` (schema ${config.schema})` : ''}`;
  } catch {
    return 'the PostgreSQL database';
  }
}

async function withDatabase<T>(o: DatabaseOptions, work: (db: Db) => Promise<T>): Promise<T> {
  const config = databaseConfigFrom(o);
  let db: Db;
  try {
    // The data folder of a fresh install does not exist yet.
    if (config.client === 'sqlite') mkdirSync(path.dirname(config.filename), { recursive: true });
    db = await openDatabase(config);
  } catch (e) {
    const cause = e instanceof Error ? e.message.split('\n')[0] : String(e);
    throw new LpcvError('LPCV_E_DATABASE_UNAVAILABLE', `cannot open ${describeDatabase(config)}: ${cause}`);
  }
  try {
    return await work(db);
  } finally {
    await db.destroy();
  }
}

/** `lpcv admin team|agent add <name>`: the token on stdout, once; the warning on stderr. */
export async function adminAddCommand(what: 'team' | 'agent', name: string, o: DatabaseOptions & { json?: boolean }): Promise<number> {
  checkName(what, name); // before the database: a typo should not wait for a connection
  const created = await withDatabase(o, (db) => (what === 'team' ? createTeam(db, name, Date.now()) : createAgent(db, name, Date.now())));
  process.stdout.write(o.json ? `${JSON.stringify({ id: created.id, name: created.name, token: created.token })}\n` : `${created.token}\n`);
  const use = what === 'team' ? 'submissions (Authorization: Bearer <token>, or the web form)' : 'a device agent on its board (Authorization: Bearer <token>)';
  process.stderr.write(`lpcv: ${what} ${JSON.stringify(created.name)} added (id ${created.id}). Its token is for ${use}. Keep it now: it is stored hashed and cannot be shown again.\n`);
  return 0;
}

/** `lpcv admin team|agent list`: names, ids, dates and token prefixes; never a token. */
export async function adminListCommand(what: 'team' | 'agent', o: DatabaseOptions & { json?: boolean }): Promise<number> {
  const owners: readonly (TeamSummary | AgentSummary)[] = await withDatabase(o, (db) => (what === 'team' ? listTeams(db) : listAgents(db)));
  if (o.json) {
    process.stdout.write(`${JSON.stringify({ [`${what}s`]: owners })}\n`);
    return 0;
  }
  if (owners.length === 0) {
    process.stdout.write(`no ${what}s yet (add one with: lpcv admin ${what} add <name>)\n`);
    return 0;
  }
  const rows = owners.map((a) => {
    const lastUsed = Math.max(0, ...a.tokens.map((t) => t.lastUsedAt ?? 0));
    return [
      a.name,
      String(a.id),
      date(a.createdAt),
      a.tokens.length === 0 ? '(none)' : a.tokens.map((t) => `${t.prefix}...`).join(', '),
      lastUsed > 0 ? date(lastUsed) : '-',
      ...('disabledAt' in a ? [a.disabledAt === null ? 'enabled' : `disabled ${date(a.disabledAt)}`] : []),
    ];
  });
  const header = [what, 'id', 'created (UTC)', 'tokens', 'last used', ...(what === 'agent' ? ['status'] : [])];
  process.stdout.write(`${table(header, rows)}\n`);
  return 0;
}

function date(ms: number): string {
  return new Date(ms).toISOString().slice(0, 16).replace('T', ' ');
}
