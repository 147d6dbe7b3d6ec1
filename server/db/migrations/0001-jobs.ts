import type { Knex } from 'knex';
import type { Migration } from './migration.js';

/**
 * The durable job queue (server/queue writes every row; see docs/queue.md).
 * Times are integer epoch milliseconds (BIGINT) on both databases: portable, sortable, no time zones.
 */
export const jobsMigration: Migration = {
  name: '0001-jobs',

  async up(knex: Knex): Promise<void> {
    await knex.schema.createTable('jobs', (t) => {
      t.increments('id').primary();
      t.text('submission_id').notNullable();
      t.text('team').notNullable();
      t.text('track').notNullable();
      t.text('target_kind').notNullable();
      t.text('state').notNullable();
      t.integer('priority').notNullable().defaultTo(0);
      t.integer('attempts').notNullable().defaultTo(0);
      t.integer('max_attempts').notNullable();
      t.bigInteger('run_after').notNullable();
      t.text('lease_token').nullable();
      t.text('leased_by').nullable();
      t.bigInteger('lease_expires_at').nullable();
      t.bigInteger('heartbeat_at').nullable();
      t.bigInteger('created_at').notNullable();
      t.bigInteger('updated_at').notNullable();
      t.bigInteger('finished_at').nullable();
      t.text('last_error_code').nullable();
      t.text('last_error_message').nullable();
      t.text('error_fault').nullable();
      t.text('result_json').nullable();
      t.check(`state IN ('queued', 'leased', 'done', 'failed', 'dead')`, {}, 'jobs_state_check');
      t.check(`error_fault IS NULL OR error_fault IN ('submission', 'infrastructure')`, {}, 'jobs_error_fault_check');
      t.check('max_attempts >= 1 AND attempts >= 0', {}, 'jobs_attempts_check');
      // A lease token exists exactly while the job is leased: a stale token can never match a later state.
      t.check(
        `(state = 'leased' AND lease_token IS NOT NULL AND lease_expires_at IS NOT NULL) OR (state <> 'leased' AND lease_token IS NULL)`,
        {},
        'jobs_lease_check',
      );
    });
    // The lease scans queued jobs of the agent's target kinds that are due; the reaper scans leased jobs
    // by expiry. Partial indexes stay as small as the queue, not as large as the history.
    await knex.raw(`CREATE INDEX jobs_queued_idx ON jobs (target_kind, run_after) WHERE state = 'queued'`);
    await knex.raw(`CREATE INDEX jobs_leased_idx ON jobs (lease_expires_at) WHERE state = 'leased'`);
    await knex.raw('CREATE INDEX jobs_submission_idx ON jobs (submission_id)');
    await knex.raw('CREATE INDEX jobs_team_state_idx ON jobs (team, state)');

    // Fair order: the lease picks the team whose latest lease is oldest. `last_lease_seq` is the id of
    // that lease's job_events row: strictly increasing, so two leases in the same millisecond still
    // alternate between teams.
    await knex.schema.createTable('queue_teams', (t) => {
      t.text('team').primary();
      t.integer('last_lease_seq').notNullable();
      t.bigInteger('last_leased_at').notNullable();
    });

    await knex.schema.createTable('job_events', (t) => {
      t.increments('id').primary();
      t.integer('job_id').notNullable().references('id').inTable('jobs').onDelete('CASCADE');
      t.bigInteger('at').notNullable();
      t.text('from_state').nullable();
      t.text('to_state').notNullable();
      // Who made the change: an agent id, 'server', 'reaper'. ("by" is an SQL keyword.)
      t.text('actor').notNullable();
      t.text('detail').nullable();
      t.index(['job_id', 'id'], 'job_events_job_idx');
    });
  },

  async down(knex: Knex): Promise<void> {
    await knex.schema.dropTable('job_events');
    await knex.schema.dropTable('queue_teams');
    await knex.schema.dropTable('jobs');
  },
};
