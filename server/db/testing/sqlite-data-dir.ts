/**
 * A temporary SQLite database where a CLI command given `--data-dir <dir>` finds it (<dir>/lpcv.sqlite:
 * `lpcv export`, `lpcv rescore`), so that the command works on the file the test writes (tests only); kept
 * after a failure, like sqliteTestDatabase.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openDatabase, SQLITE_FILE, type Db } from '../index.js';
import type { TestDatabase } from './databases.js';

export function sqliteDataDir(prefix = 'lpcv-cli-db-'): TestDatabase & { readonly dir: () => string } {
  let dir = '';
  const open: Db[] = [];
  const filename = (): string => path.join(dir, SQLITE_FILE);
  return {
    name: 'SQLite',
    dir: () => dir,
    config: () => ({ client: 'sqlite', filename: filename() }),
    async create() {
      dir = mkdtempSync(path.join(tmpdir(), prefix));
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
