import type { Knex } from 'knex';
import type { Migration } from './migration.js';

/**
 * Submissions: one row per accepted upload (server/http writes it, in the same transaction as its job).
 *
 * A submission has no state of its own: its status is its job's (`job_id`), which only server/queue
 * changes, so the two can never disagree. The id is random text (not a counter): it is what `jobs.
 * submission_id` holds, it is known before the row is inserted (the job is queued first, so `job_id` is
 * never null), and it tells nobody how many submissions there are. The artifact itself is on disk under its
 * `sha256` (submissions/store); `filename` is the client's name, sanitised, for display only.
 *
 * Times are integer epoch milliseconds (BIGINT), as in 0001-jobs.
 */
export const submissionsMigration: Migration = {
  name: '0003-submissions',

  async up(knex: Knex): Promise<void> {
    await knex.schema.createTable('submissions', (t) => {
      t.text('id').primary();
      t.integer('team_id').notNullable().references('id').inTable('teams');
      t.text('track').notNullable();
      t.text('split').notNullable();
      t.text('sha256').notNullable();
      t.bigInteger('bytes').notNullable();
      t.text('format').notNullable();
      t.text('filename').nullable();
      t.text('description').notNullable().defaultTo('');
      t.integer('job_id').notNullable().unique({ indexName: 'submissions_job_key' }).references('id').inTable('jobs');
      t.bigInteger('created_at').notNullable();
      t.check('bytes > 0', {}, 'submissions_bytes_check');
      // A team's submissions, newest first (its list, quotas per day); whether an artifact is still used.
      t.index(['team_id', 'track', 'created_at'], 'submissions_team_idx');
      t.index(['sha256'], 'submissions_sha256_idx');
    });
  },

  async down(knex: Knex): Promise<void> {
    await knex.schema.dropTable('submissions');
  },
};
