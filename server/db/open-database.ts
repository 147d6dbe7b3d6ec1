import knexFactory from 'knex';
import { checkDatabaseConfig, type DatabaseConfig } from './database-config.js';
import { withDialect, type Db } from './db.js';
import { dialectOf, knexConfigFor, prepareDatabase } from './dialect.js';
import { migrateToLatest } from './migrate.js';

export interface OpenOptions {
  /** Apply pending migrations before returning (default true). */
  readonly migrate?: boolean;
}

/**
 * Opens the server's database: SQLite (WAL, busy_timeout, foreign keys on every pooled connection; one
 * connection) or PostgreSQL (a pool; an optional schema, created if missing, first on search_path), then
 * migrates it. Close it with `db.destroy()`.
 */
export async function openDatabase(config: DatabaseConfig, options: OpenOptions = {}): Promise<Db> {
  checkDatabaseConfig(config);
  const db = withDialect(knexFactory(knexConfigFor(config)), dialectOf(config));
  try {
    await prepareDatabase(db, config);
    if (options.migrate !== false) await migrateToLatest(db);
    return db;
  } catch (e) {
    await db.destroy();
    throw e;
  }
}
