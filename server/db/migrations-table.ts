/** knex's migrator keeps its bookkeeping here (and a `_lock` table beside it). */
export const MIGRATIONS_TABLE = 'lpcv_migrations';
