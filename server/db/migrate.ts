import type { Knex } from 'knex';
import { MIGRATIONS } from './migrations/index.js';
import type { Migration } from './migrations/migration.js';
import { MIGRATIONS_TABLE } from './migrations-table.js';

/**
 * knex's migrator (its lock table keeps two servers starting at once from both migrating) fed from the
 * static list in migrations/index.ts: no folder scanned at run time, so a stray compiled .js file or a
 * missing loader cannot change what runs.
 */
function sourceOf(migrations: readonly Migration[]): Knex.MigrationSource<Migration> {
  return {
    getMigrations: async () => [...migrations],
    getMigrationName: (m) => m.name,
    getMigration: async (m) => ({ up: (knex) => m.up(knex), down: (knex) => m.down(knex) }),
  };
}

/** Applies every migration not yet applied; returns the names applied now. */
export async function migrateToLatest(knex: Knex, migrations: readonly Migration[] = MIGRATIONS): Promise<string[]> {
  const config = { migrationSource: sourceOf(migrations), tableName: MIGRATIONS_TABLE };
  // latest() takes the migration lock (a write) even when nothing is pending; a server that starts on an
  // up-to-date database only reads.
  const [, pending] = (await knex.migrate.list(config)) as [unknown[], unknown[]];
  if (pending.length === 0) return [];
  const [, applied] = (await knex.migrate.latest(config)) as [number, string[]];
  return applied;
}
