/**
 * Everything that differs between SQLite and PostgreSQL lives behind this one switch. The rest of the server
 * writes portable SQL through knex: integer epoch milliseconds for every time (never a DATE column), text
 * for ids that come from elsewhere, `RETURNING`, `ON CONFLICT ... DO UPDATE`, partial indexes (both have
 * them). What remains here: connection set-up, the schema, and how a transaction takes its locks.
 */
import { createRequire } from 'node:module';
import type { Knex } from 'knex';
import type { DatabaseConfig } from './database-config.js';
import { MIGRATIONS_TABLE } from './migrations-table.js';

export type Dialect = 'sqlite' | 'postgres';

export function dialectOf(config: DatabaseConfig): Dialect {
  switch (config.client) {
    case 'sqlite':
      return 'sqlite';
    case 'postgres':
      return 'postgres';
  }
}

/** The part of a node-sqlite3 `Database` that the pool hook uses. */
interface SqliteConnection {
  all(sql: string, callback: (err: Error | null, rows: Array<Record<string, unknown>>) => void): void;
  exec(sql: string, callback: (err: Error | null) => void): void;
}

// Generous: a writer in another process (an admin command, a second server during a restart) is waited
// for rather than failed; 5 s was seen to run out on a loaded two-core machine with 8 writers.
const DEFAULT_BUSY_TIMEOUT_MS = 30_000;

/** knex's own warnings go to stderr: stdout belongs to the command's output (e.g. --json). */
const stderrLog = {
  warn: (m: unknown) => process.stderr.write(`knex: warning: ${String(m)}\n`),
  error: (m: unknown) => process.stderr.write(`knex: error: ${String(m)}\n`),
  deprecate: (m: unknown) => process.stderr.write(`knex: deprecated: ${String(m)}\n`),
  debug: (m: unknown) => process.stderr.write(`knex: ${String(m)}\n`),
};
const PG_INT8_OID = 20;

/**
 * pg returns BIGINT (our epoch-millisecond columns, and every count(*)) as a string by default. Parse it
 * per connection (not through pg's global type registry: no global mutable state), refusing what a JS
 * number cannot hold exactly.
 */
function parseInt8(text: string): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n)) throw new Error(`database: BIGINT ${text} does not fit a JavaScript number exactly`);
  return n;
}

/** pg's default parsers (the project has no @types/pg; this is the one part of pg used directly). */
interface PgTypeRegistry {
  getTypeParser(oid: number, format: string): (value: string) => unknown;
}
function pgTypes(): PgTypeRegistry {
  const defaults = (createRequire(import.meta.url)('pg') as { types: PgTypeRegistry }).types;
  return {
    getTypeParser(oid: number, format: string): (value: string) => unknown {
      if (oid === PG_INT8_OID && format !== 'binary') return parseInt8;
      return defaults.getTypeParser(oid, format);
    },
  };
}

export function knexConfigFor(config: DatabaseConfig): Knex.Config {
  switch (config.client) {
    case 'sqlite': {
      const busyTimeoutMs = config.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS;
      return {
        client: 'sqlite3',
        log: stderrLog,
        connection: { filename: config.filename },
        useNullAsDefault: true,
        // One connection per process: SQLite has one writer at a time anyway, and a single pooled
        // connection serialises this process's transactions without any SQLITE_BUSY between them.
        // Other processes on the same file meet the write lock and wait up to busy_timeout.
        pool: {
          min: 1,
          max: 1,
          afterCreate(conn: SqliteConnection, done: (err: Error | null, conn: SqliteConnection) => void): void {
            conn.all('PRAGMA journal_mode=WAL', (err, rows) => {
              if (err) return done(err, conn);
              const mode = rows[0]?.journal_mode;
              if (mode !== 'wal')
                return done(
                  new Error(`database: ${config.filename}: SQLite refused WAL mode (journal_mode is ${String(mode)}): is it on a network file system?`),
                  conn,
                );
              conn.exec(`PRAGMA busy_timeout=${busyTimeoutMs}; PRAGMA foreign_keys=ON;`, (e) => done(e, conn));
            });
          },
        },
      };
    }
    case 'postgres':
      return {
        client: 'pg',
        log: stderrLog,
        connection: { connectionString: config.connectionString, types: pgTypes() },
        ...(config.schema ? { searchPath: [config.schema] } : {}),
        pool: { min: 0, max: config.poolMax ?? 10 },
      };
  }
}

/** Runs once after the pool exists and before migrations: PostgreSQL's schema, if one is configured. */
export async function prepareDatabase(knex: Knex, config: DatabaseConfig): Promise<void> {
  switch (config.client) {
    case 'sqlite':
      return;
    case 'postgres':
      // search_path may name a schema that does not exist yet: PostgreSQL skips it until it does.
      if (config.schema) await knex.schema.createSchemaIfNotExists(config.schema);
      return;
  }
}

/**
 * Makes the current transaction the database's writer before it reads anything.
 *
 * SQLite: knex opens transactions with a plain (deferred) `BEGIN`. A deferred transaction that reads
 * first and writes later fails with SQLITE_BUSY, without waiting, when another connection wrote in
 * between (its snapshot is stale). A zero-row UPDATE as the first statement takes the write lock at once,
 * waiting up to busy_timeout like `BEGIN IMMEDIATE` does; from then on nothing else can write the file
 * until we commit, so every read in the transaction is current.
 * PostgreSQL: nothing here; transactions lock the rows they touch (see `lockRows`).
 */
export async function takeWriteLock(tx: Knex, dialect: Dialect): Promise<void> {
  switch (dialect) {
    case 'sqlite':
      await tx.raw(`UPDATE ${MIGRATIONS_TABLE} SET id = id WHERE 1 = 0`);
      return;
    case 'postgres':
      return;
  }
}

/**
 * Locks the rows a SELECT returns until the transaction ends. PostgreSQL: `FOR UPDATE [OF t] [SKIP LOCKED]`
 * (`skip-locked` passes over rows another transaction holds, the way concurrent leasers avoid each other).
 * SQLite: nothing to add, the transaction already holds the database's write lock (`takeWriteLock`).
 */
export function lockRows<T extends Knex.QueryBuilder>(query: T, dialect: Dialect, mode: 'wait' | 'skip-locked', ofTable?: string): T {
  switch (dialect) {
    case 'sqlite':
      return query;
    case 'postgres': {
      const locked = ofTable ? query.forUpdate(ofTable) : query.forUpdate();
      return (mode === 'skip-locked' ? locked.skipLocked() : locked) as T;
    }
  }
}
