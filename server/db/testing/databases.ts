/**
 * Real databases for tests (server/db, the queue's contract suite): a temporary SQLite file and a fresh
 * schema on the real PostgreSQL server. Like pg-boss's tests: each test file gets its own database, dropped
 * after a run where every test passed and kept (its name logged) after a failure, for inspection.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import knexFactory from 'knex';
import { openDatabase, type DatabaseConfig, type Db } from '../index.js';

export interface TestDatabase {
  readonly name: string;
  /** Creates this file's empty database (beforeAll). Fails loudly if the server is unreachable. */
  create(): Promise<void>;
  /** How to reach that database (for child processes). */
  config(): DatabaseConfig;
  /**
   * A new handle on that database, with its own connection(s); migrated. Closed by dispose if still open.
   * SQLite: use a second handle only while the first is idle (see docs/queue.md: one Db per process).
   */
  open(): Promise<Db>;
  /** afterAll: drops the database, or keeps it and logs where when `keep` (a test failed). */
  dispose(keep: boolean): Promise<void>;
}

function handleTracker(): { track(db: Db): Db; closeAll(): Promise<void> } {
  const open: Db[] = [];
  return {
    track(db) {
      open.push(db);
      return db;
    },
    async closeAll() {
      // knex's destroy() is idempotent: handles a test already closed are no trouble.
      for (const db of open.splice(0)) await db.destroy();
    },
  };
}

export function sqliteTestDatabase(): TestDatabase {
  let dir = '';
  const handles = handleTracker();
  const config = (): DatabaseConfig => ({ client: 'sqlite', filename: join(dir, 'queue.sqlite') });
  return {
    name: 'SQLite',
    config,
    async create() {
      dir = mkdtempSync(join(tmpdir(), 'lpcv-queue-'));
    },
    async open() {
      return handles.track(await openDatabase(config()));
    },
    async dispose(keep) {
      await handles.closeAll();
      if (keep) console.warn(`tests failed: kept the SQLite database ${join(dir, 'queue.sqlite')} for inspection`);
      else if (dir !== '') rmSync(dir, { recursive: true, force: true });
    },
  };
}

export const POSTGRES_TEST_URL = process.env.LPCV_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const POSTGRES_START_COMMAND = 'pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start';

export function postgresTestDatabase(): TestDatabase {
  const schema = `lpcv_test_${randomBytes(6).toString('hex')}`;
  const handles = handleTracker();
  const config: DatabaseConfig = { client: 'postgres', connectionString: POSTGRES_TEST_URL, schema, poolMax: 4 };
  return {
    name: 'PostgreSQL',
    config: () => config,
    async create() {
      try {
        // openDatabase creates the schema and migrates it.
        await (await openDatabase(config)).destroy();
      } catch (e) {
        throw new Error(
          `PostgreSQL at ${POSTGRES_TEST_URL} is not usable (${(e as Error).message}). These tests never skip: ` +
            `start the server with \`${POSTGRES_START_COMMAND}\` or set LPCV_TEST_PG_URL.`,
          { cause: e },
        );
      }
    },
    async open() {
      return handles.track(await openDatabase(config));
    },
    async dispose(keep) {
      await handles.closeAll();
      if (keep) {
        console.warn(`tests failed: kept PostgreSQL schema ${schema} in ${POSTGRES_TEST_URL} for inspection (drop it with: DROP SCHEMA ${schema} CASCADE)`);
        return;
      }
      const admin = knexFactory({ client: 'pg', connection: POSTGRES_TEST_URL, pool: { min: 0, max: 1 } });
      try {
        await admin.schema.dropSchemaIfExists(schema, true);
      } finally {
        await admin.destroy();
      }
    },
  };
}
