import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { LpcvError } from '../../errors/lpcv-error.js';
import { SCHEMA_NAME, type DatabaseConfig } from './database-config.js';
import type { Db } from './db.js';
import { openDatabase } from './open-database.js';

/** The database options of `lpcv serve`, `lpcv admin` and `lpcv rescore` (--data-dir, --database-url, --database-schema). */
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
    if (schema !== undefined)
      throw new LpcvError('LPCV_E_USAGE', `a database schema (--database-schema or ${DATABASE_SCHEMA_ENV}) needs a PostgreSQL --database-url`);
    return { client: 'sqlite', filename: path.join(path.resolve(o.dataDir ?? 'data'), SQLITE_FILE) };
  }
  if (!/^postgres(ql)?:\/\//.test(url)) {
    throw new LpcvError(
      'LPCV_E_USAGE',
      `--database-url (or ${DATABASE_URL_ENV}) must be a PostgreSQL URL (postgres://user@host:5432/db); without it the database is <data-dir>/${SQLITE_FILE}`,
    );
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

/** Opens the database the options name (creating a fresh install's data folder), runs `work`, closes it. */
export async function withDatabase<T>(o: DatabaseOptions, work: (db: Db) => Promise<T>): Promise<T> {
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
