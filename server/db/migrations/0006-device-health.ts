import type { Knex } from 'knex';
import type { Migration } from './migration.js';

/**
 * Device health (server/devices; docs/devices.md):
 *
 * - `devices.drained_at`, `drained_by`: an admin's drain. Kept apart from `state` so that a drained device
 *   that goes silent shows `offline` and comes back `draining`, never `idle`. Null: not drained.
 * - `jobs.pinned_device_id`: a job only that device may lease (a reference run); null for every other job.
 *   server/queue writes it (enqueueReferenceJob) and the lease respects it. No foreign key: SQLite cannot add
 *   one to an existing table without rebuilding it, and devices are never deleted.
 * - `reference_runs`: one row per reference job, linking it to its device and to the baseline submission
 *   it runs. A reference job is an extra job of that baseline's submission (`jobs.submission_id`), not a new
 *   submission: `submissions.job_id` still names the baseline's own job, so the leaderboard, the status
 *   pages and the quotas never see reference jobs. `latency_p50_ms` is filled in with the job's result.
 *
 * Times are integer epoch milliseconds (BIGINT), as in 0001-jobs.
 */
export const deviceHealthMigration: Migration = {
  name: '0006-device-health',

  async up(knex: Knex): Promise<void> {
    await knex.schema.alterTable('devices', (t) => {
      t.bigInteger('drained_at').nullable();
      t.text('drained_by').nullable();
    });
    await knex.schema.alterTable('jobs', (t) => {
      t.integer('pinned_device_id').nullable();
    });
    await knex.schema.createTable('reference_runs', (t) => {
      t.increments('id').primary();
      t.integer('job_id').notNullable().unique({ indexName: 'reference_runs_job_key' }).references('id').inTable('jobs');
      t.integer('device_id').notNullable().references('id').inTable('devices');
      t.text('track').notNullable();
      t.text('submission_id').notNullable().references('id').inTable('submissions');
      t.text('baseline_name').notNullable();
      t.text('sha256').notNullable();
      t.bigInteger('created_at').notNullable();
      t.double('latency_p50_ms').nullable();
      t.bigInteger('finished_at').nullable();
      t.index(['device_id', 'id'], 'reference_runs_device_idx');
    });
  },

  async down(knex: Knex): Promise<void> {
    await knex.schema.dropTable('reference_runs');
    await knex.schema.alterTable('jobs', (t) => {
      t.dropColumn('pinned_device_id');
    });
    await knex.schema.alterTable('devices', (t) => {
      t.dropColumn('drained_by');
      t.dropColumn('drained_at');
    });
  },
};
