import type { Knex } from 'knex';
import type { Migration } from './migration.js';

/**
 * The leaderboard's version (server/leaderboard/board-cache.ts): a number that the database itself raises on
 * every change of a table a board is built from, so that a cached board is used only
 * while nothing it was built from has changed. Triggers, not the writers: a re-score rewriting `record_json`,
 * an admin's reveal, a team's rename, an `lpcv` command writing from another process all change a board, and a
 * writer that forgot to bump a counter would leave a stale board up; a trigger cannot be forgotten.
 *
 * The tables: every one buildLeaderboard and its helpers read (keep BOARD_TABLES in step with them; the board
 * cache's tests write each one and check that the board follows).
 *
 * - SQLite: an AFTER INSERT/UPDATE/DELETE trigger per table, FOR EACH ROW (SQLite has no other kind). Writers
 *   are serialised anyway (one writer at a time), so the one row costs no concurrency.
 * - PostgreSQL: a statement trigger per table inserts one row per writing transaction into `board_changes`
 *   (`tx`: txid_current(), ON CONFLICT DO NOTHING), and the version is `board_version.version` plus the count of
 *   those rows (readBoardVersion, in one statement: one snapshot). Inserts of distinct rows never wait for each
 *   other: concurrent writers of the board's tables take no common lock (an UPDATE of one counter row would hold
 *   its lock until COMMIT: writers would queue for it, and a transaction holding it while it waits for a job row
 *   another writer holds could deadlock). And the row commits with the data, or not at all: a reader never sees
 *   a version whose data it cannot see. The reader folds the rows into `board_version.version` now and then
 *   (compactBoardVersion: one statement, the sum unchanged). A TRUNCATE bumps too. The function keeps the
 *   migration's search_path, so that a schema per test (or per deployment) finds its own tables.
 *
 * A reader takes the version before it reads the board's rows: a board read after a change committed is then
 * built from that change or a later one, and is cached under a version at most as new as its data (never older).
 */
export const BOARD_TABLES = ['submissions', 'results', 'teams', 'track_reveals', 'track_formulas', 'entry_selections', 'competitions'] as const;

const isPostgres = (knex: Knex): boolean => ['pg', 'postgres', 'postgresql'].includes(String(knex.client.config.client));

export const boardVersionMigration: Migration = {
  name: '0012-board-version',

  async up(knex: Knex): Promise<void> {
    const postgres = isPostgres(knex);
    await knex.schema.createTable('board_version', (t) => {
      t.integer('id').primary();
      t.bigInteger('version').notNullable();
      t.check('id = 1', {}, 'board_version_one_row');
    });
    await knex('board_version').insert({ id: 1, version: 1 });
    if (postgres) {
      await knex.raw('CREATE TABLE board_changes (tx bigint PRIMARY KEY)');
      await knex.raw(`CREATE FUNCTION board_version_bump() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
  INSERT INTO board_changes (tx) VALUES (txid_current()) ON CONFLICT DO NOTHING;
  RETURN NULL;
END
$$`);
      for (const table of BOARD_TABLES)
        await knex.raw(
          `CREATE TRIGGER board_version_${table} AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON ${table} FOR EACH STATEMENT EXECUTE FUNCTION board_version_bump()`,
        );
      return;
    }
    for (const table of BOARD_TABLES)
      for (const op of ['insert', 'update', 'delete'] as const)
        await knex.raw(
          `CREATE TRIGGER board_version_${table}_${op} AFTER ${op.toUpperCase()} ON ${table} FOR EACH ROW ` +
            'BEGIN UPDATE board_version SET version = version + 1 WHERE id = 1; END',
        );
  },

  async down(knex: Knex): Promise<void> {
    if (isPostgres(knex)) {
      for (const table of BOARD_TABLES) await knex.raw(`DROP TRIGGER IF EXISTS board_version_${table} ON ${table}`);
      await knex.raw('DROP FUNCTION IF EXISTS board_version_bump()');
      await knex.raw('DROP TABLE IF EXISTS board_changes');
    } else {
      for (const table of BOARD_TABLES) for (const op of ['insert', 'update', 'delete']) await knex.raw(`DROP TRIGGER IF EXISTS board_version_${table}_${op}`);
    }
    await knex.schema.dropTable('board_version');
  },
};
