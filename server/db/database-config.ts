/**
 * Where the server keeps its data. The embedded default is a SQLite file; PostgreSQL is configuration,
 * not a code fork (docs/database.md). Parsed once at start-up by whoever reads the server's config file.
 */
export interface SqliteConfig {
  readonly client: 'sqlite';
  /** A file path. `:memory:` is refused: the queue must survive a restart. */
  readonly filename: string;
  /** How long a writer waits for another connection's write lock before SQLITE_BUSY (default 30,000 ms: server/db/dialect.ts says why). */
  readonly busyTimeoutMs?: number;
}

export interface PostgresConfig {
  readonly client: 'postgres';
  /** e.g. postgres://user@127.0.0.1:5432/lpcv */
  readonly connectionString: string;
  /** Put every table in this schema (created if missing) instead of the connection's default. */
  readonly schema?: string;
  /** Connections in the pool (default 10). */
  readonly poolMax?: number;
}

export type DatabaseConfig = SqliteConfig | PostgresConfig;

/** Lower-case identifiers only, so that a schema name never needs quoting rules of its own. */
export const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

export function checkDatabaseConfig(config: DatabaseConfig): void {
  if (config.client === 'sqlite') {
    if (config.filename === '' || config.filename === ':memory:' || config.filename.startsWith('file::memory:')) {
      throw new Error(`database: filename: expected a file path, got ${JSON.stringify(config.filename)} (the job queue must survive a restart)`);
    }
    if (config.busyTimeoutMs !== undefined && !(Number.isInteger(config.busyTimeoutMs) && config.busyTimeoutMs >= 0)) {
      throw new Error(`database: busyTimeoutMs: expected a whole number of milliseconds >= 0, got ${config.busyTimeoutMs}`);
    }
    return;
  }
  if (config.connectionString === '') throw new Error('database: connectionString: expected a PostgreSQL URL, got an empty string');
  if (config.schema !== undefined && !SCHEMA_NAME.test(config.schema)) {
    throw new Error(`database: schema: expected a lower-case identifier (${SCHEMA_NAME.source}), got ${JSON.stringify(config.schema)}`);
  }
  if (config.poolMax !== undefined && !(Number.isInteger(config.poolMax) && config.poolMax >= 1)) {
    throw new Error(`database: poolMax: expected a whole number >= 1, got ${config.poolMax}`);
  }
}
