export type { DatabaseConfig, PostgresConfig, SqliteConfig } from './database-config.js';
export { DATABASE_SCHEMA_ENV, DATABASE_URL_ENV, SQLITE_FILE, databaseConfigFrom, withDatabase, type DatabaseOptions } from './database-options.js';
export type { Db } from './db.js';
export { lockRows, type Dialect } from './dialect.js';
export { migrateToLatest } from './migrate.js';
export { openDatabase, type OpenOptions } from './open-database.js';
export { withWriteTransaction } from './write-transaction.js';
