import type { Knex } from 'knex';
import type { Dialect } from './dialect.js';

/**
 * A knex instance (or a knex transaction) that knows which database it talks to. Everything in
 * server/queue takes one of these; `withWriteTransaction` hands out a transaction-bound one, so that a
 * caller can put its own rows and a queue change in one transaction.
 */
export type Db = Knex & { readonly dialect: Dialect };

export function withDialect(knex: Knex, dialect: Dialect): Db {
  Object.defineProperty(knex, 'dialect', { value: dialect, enumerable: true, writable: false });
  return knex as Db;
}
