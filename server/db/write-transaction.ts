import { withDialect, type Db } from './db.js';
import { takeWriteLock } from './dialect.js';

/**
 * Runs `work` in a transaction that holds the write lock from its first statement (SQLite; see
 * `takeWriteLock`) or row locks as it goes (PostgreSQL). Commits when `work` resolves, rolls back when it
 * throws. Called on a transaction-bound Db it nests (a SAVEPOINT). Keep `work` short: on SQLite every
 * other writer waits for it.
 */
export async function withWriteTransaction<T>(db: Db, work: (tx: Db) => Promise<T>): Promise<T> {
  const dialect = db.dialect;
  return db.transaction(async (trx) => {
    const tx = withDialect(trx, dialect);
    await takeWriteLock(tx, dialect);
    return work(tx);
  });
}
