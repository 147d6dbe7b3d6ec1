import type { Knex } from 'knex';
import type { Migration } from './migration.js';

/**
 * Devices of the device agents, and the scored results of finished jobs (server/http's agent API writes
 * both; job state itself stays server/queue's).
 *
 * A device is unique per agent and name: registering the same name again refreshes it (a heartbeat).
 * `state` is advisory (the pages show it): the job's own lease, not the device row, decides who holds a job.
 *
 * A result keeps the record as scored (`record_json`, also the job's result_json) and the raw measurement
 * the agent sent (`raw_json`: predictions, latency, warm-up, pre-processing and power samples, target,
 * energy, protocol), so that a result can be re-scored later with the same code without re-running the
 * device. One result per job at most.
 *
 * Times are integer epoch milliseconds (BIGINT), as in 0001-jobs.
 */
export const devicesResultsMigration: Migration = {
  name: '0004-devices-results',

  async up(knex: Knex): Promise<void> {
    await knex.schema.createTable('devices', (t) => {
      t.increments('id').primary();
      t.integer('agent_id').notNullable().references('id').inTable('agents');
      t.text('name').notNullable();
      t.text('kind').notNullable();
      t.text('capabilities_json').notNullable().defaultTo('{}');
      t.text('state').notNullable().defaultTo('idle');
      t.bigInteger('last_seen_at').notNullable();
      t.bigInteger('created_at').notNullable();
      t.unique(['agent_id', 'name'], { indexName: 'devices_agent_name_key' });
      t.check("state IN ('idle', 'busy', 'offline', 'draining')", {}, 'devices_state_check');
    });

    await knex.schema.createTable('results', (t) => {
      t.increments('id').primary();
      t.integer('job_id').notNullable().unique({ indexName: 'results_job_key' }).references('id').inTable('jobs');
      t.text('submission_id').notNullable().references('id').inTable('submissions');
      t.text('record_json').notNullable();
      t.text('raw_json').notNullable();
      t.bigInteger('created_at').notNullable();
      t.index(['submission_id'], 'results_submission_idx');
    });
  },

  async down(knex: Knex): Promise<void> {
    await knex.schema.dropTable('results');
    await knex.schema.dropTable('devices');
  },
};
