import type { Dialect } from '../db/index.js';

/**
 * Whether a failed INSERT broke a UNIQUE constraint. The one dialect-specific part of server/auth:
 * node-sqlite3 reports SQLITE_CONSTRAINT with "UNIQUE constraint failed" in the message (the same code
 * covers CHECK and NOT NULL), pg reports SQLSTATE 23505.
 */
export function isUniqueViolation(e: unknown, dialect: Dialect): boolean {
  if (!(e instanceof Error)) return false;
  const code = (e as { code?: unknown }).code;
  switch (dialect) {
    case 'sqlite':
      return code === 'SQLITE_CONSTRAINT' && e.message.includes('UNIQUE constraint failed');
    case 'postgres':
      return code === '23505';
  }
}
