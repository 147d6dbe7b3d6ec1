import type { Knex } from 'knex';
import type { Migration } from './migration.js';

/**
 * Competitions (docs/running-a-competition.md): a bundle applied by `lpcv competition apply` or `lpcv serve
 * --competition`, its phases, the audit of every apply, the phase and round each submission was made in, and
 * the outbox of webhook deliveries.
 *
 * - `competitions`: one row per applied bundle: its name, title, the bundle as validated JSON
 *   (harness/competitions Competition: tracks by name, phases with epoch-ms times, webhook subscribers by URL
 *   and the name of the environment variable that holds each secret, never a secret itself), the JSON's
 *   sha256 (an apply of the same content changes nothing), when and by whom. A bundle is a few kilobytes and
 *   read whole; its phases have no table of their own, so there is one copy of each.
 * - `competition_audit`: every apply that changed something, and every refused change of a phase that had
 *   started: who, when, what (JSON).
 * - `submissions.phase`, `submissions.round`: the phase (and round) open when the submission was recorded;
 *   null on submissions to tracks that no phase governs, and on submissions older than this migration.
 * - `webhook_deliveries`: one row per (event, subscriber URL): the durable outbox that server/notify drains,
 *   with retries and backoff. A delivery is claimed by setting `claimed_until` (so two server processes do not
 *   send one row at once; a crashed sender's claim lapses), then marked delivered or given a later
 *   `run_after`, or dead after `max_attempts`.
 */
export const competitionsMigration: Migration = {
  name: '0009-competitions',

  async up(knex: Knex): Promise<void> {
    await knex.schema.createTable('competitions', (t) => {
      t.text('name').primary();
      t.text('title').notNullable();
      t.text('bundle_json').notNullable();
      t.text('sha256').notNullable();
      t.bigInteger('applied_at').notNullable();
      t.text('applied_by').notNullable();
    });
    await knex.schema.createTable('competition_audit', (t) => {
      t.increments('id').primary();
      t.text('competition').notNullable();
      t.bigInteger('at').notNullable();
      t.text('actor').notNullable();
      t.text('action').notNullable();
      t.text('detail_json').notNullable();
      t.index(['competition', 'id'], 'competition_audit_competition_idx');
    });
    await knex.schema.alterTable('submissions', (t) => {
      t.text('phase').nullable();
      t.text('round').nullable();
    });
    await knex.schema.createTable('webhook_deliveries', (t) => {
      t.increments('id').primary();
      t.text('event_id').notNullable();
      t.text('event').notNullable();
      t.text('url').notNullable();
      t.text('body_json').notNullable();
      t.text('state').notNullable();
      t.integer('attempts').notNullable().defaultTo(0);
      t.integer('max_attempts').notNullable();
      t.bigInteger('run_after').notNullable();
      t.bigInteger('claimed_until').nullable();
      t.bigInteger('created_at').notNullable();
      t.bigInteger('updated_at').notNullable();
      t.bigInteger('delivered_at').nullable();
      t.integer('last_status').nullable();
      t.text('last_error').nullable();
      t.unique(['event_id', 'url'], { indexName: 'webhook_deliveries_event_url_uq' });
      t.index(['state', 'run_after'], 'webhook_deliveries_due_idx');
      t.check(`state IN ('queued', 'delivered', 'dead')`, {}, 'webhook_deliveries_state_check');
    });
  },

  async down(knex: Knex): Promise<void> {
    await knex.schema.dropTable('webhook_deliveries');
    await knex.schema.alterTable('submissions', (t) => {
      t.dropColumn('round');
      t.dropColumn('phase');
    });
    await knex.schema.dropTable('competition_audit');
    await knex.schema.dropTable('competitions');
  },
};
