/**
 * Hooks for a describe block (tests only): a real database from databases.ts, or a temporary
 * directory, made in beforeAll and removed in afterAll, or kept for inspection when a test (or the set-up
 * itself) failed.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import type { TestDatabase } from './databases.js';

/** Notes whether a test of the enclosing describe block failed. */
function failureFlag(): { readonly failed: () => boolean; readonly fail: () => void } {
  let failed = false;
  beforeEach(({ onTestFailed }) => onTestFailed(() => void (failed = true)));
  return { failed: () => failed, fail: () => void (failed = true) };
}

export interface TestDatabaseHooks {
  /** beforeAll, once the database exists (open it, start a server...); a failure keeps the database. */
  setUp?(): Promise<void>;
  /** afterAll, before the database is disposed of (close what setUp started). */
  tearDown?(): Promise<void>;
}

/** Creates `database` for the enclosing describe block, and drops it after, or keeps it after a failure. */
export function useTestDatabase(database: TestDatabase, hooks: TestDatabaseHooks = {}): void {
  const flag = failureFlag();
  beforeAll(async () => {
    try {
      await database.create();
      await hooks.setUp?.();
    } catch (e) {
      flag.fail();
      throw e;
    }
  });
  afterAll(async () => {
    try {
      await hooks.tearDown?.();
    } finally {
      await database.dispose(flag.failed());
    }
  });
}

/** A temporary directory for the enclosing describe block (read it once beforeAll has run), kept after a failure. */
export function useTempDir(prefix: string): () => string {
  const flag = failureFlag();
  let dir = '';
  beforeAll(() => void (dir = mkdtempSync(join(tmpdir(), prefix))));
  afterAll(() => {
    if (flag.failed()) console.warn(`tests failed: kept ${dir} for inspection`);
    else if (dir !== '') rmSync(dir, { recursive: true, force: true });
  });
  return () => dir;
}
