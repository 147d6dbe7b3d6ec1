import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SQLITE_FILE } from '../db/index.js';
import { openDatabase, type Db } from '../db/index.js';
import type { TestDatabase } from '../db/testing/databases.js';
import { rescoreContract } from './testing/rescore.contract.js';

/**
 * A temporary SQLite database where `lpcv rescore --data-dir <dir>` finds it (<dir>/lpcv.sqlite), so that
 * the CLI child process works on the same file; kept after a failure, like sqliteTestDatabase.
 */
function sqliteDataDir(): TestDatabase {
  let dir = '';
  const open: Db[] = [];
  const filename = (): string => path.join(dir, SQLITE_FILE);
  return {
    name: 'SQLite',
    config: () => ({ client: 'sqlite', filename: filename() }),
    async create() {
      dir = mkdtempSync(path.join(tmpdir(), 'lpcv-rescore-db-'));
    },
    async open() {
      const db = await openDatabase({ client: 'sqlite', filename: filename() });
      open.push(db);
      return db;
    },
    async dispose(keep) {
      for (const db of open.splice(0)) await db.destroy();
      if (keep) console.warn(`tests failed: kept the SQLite database ${filename()} for inspection`);
      else if (dir !== '') rmSync(dir, { recursive: true, force: true });
    },
  };
}

rescoreContract('sqlite', sqliteDataDir());
