import type { Knex } from 'knex';

/**
 * One schema change. Migrations are TS modules listed by hand in `index.ts` (never found by scanning a
 * folder), applied in that order by knex's migrator, each in its own transaction, and never edited once
 * released: a change is a new migration.
 */
export interface Migration {
  /** Stable forever: the migrator records it. Numbered so that the list's order is obvious. */
  readonly name: string;
  up(knex: Knex): Promise<void>;
  down(knex: Knex): Promise<void>;
}
