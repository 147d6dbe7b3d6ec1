import type { Knex } from 'knex';
import type { Migration } from './migration.js';

/**
 * Public/private leaderboards and re-scoring (docs/leaderboard.md, docs/rescoring.md):
 *
 * - `jobs.split`: the split the job runs on. Null on jobs queued before this migration (and on reference
 *   runs, 0006): they run on their submission's split.
 * - `submissions.public_job_id`: on a track with a public leaderboard split, the submission's job on that
 *   split (its second job, with its `submission_id`); null otherwise. `submissions.job_id` stays the
 *   private-split job: its state is the submission's status and what the quota counts, so one submission
 *   counts once. The leaderboard reads exactly these two jobs, never other jobs of the submission (0006's
 *   reference runs). No foreign key, as in 0006: SQLite cannot add one to an existing table.
 * - `track_formulas`: a track's effective score formula set by a re-score, overriding the track file's
 *   `score` until it is removed (one row per track).
 * - `rescore_audit`: every re-score, dry runs included: who, when, the formula before and after (name,
 *   version, parameters), how many results changed, and the rank changes as JSON.
 *
 * Times are integer epoch milliseconds (BIGINT), as in 0001-jobs.
 */
export const rescoringMigration: Migration = {
  name: '0007-rescoring',

  async up(knex: Knex): Promise<void> {
    await knex.schema.alterTable('jobs', (t) => {
      t.text('split').nullable();
    });
    await knex.schema.alterTable('submissions', (t) => {
      t.integer('public_job_id').nullable();
    });
    await knex.schema.createTable('track_formulas', (t) => {
      t.text('track').primary();
      t.text('formula').notNullable();
      t.integer('version').notNullable();
      t.text('params_json').notNullable();
      t.bigInteger('set_at').notNullable();
      t.text('set_by').notNullable();
    });
    await knex.schema.createTable('rescore_audit', (t) => {
      t.increments('id').primary();
      t.text('track').notNullable();
      t.bigInteger('at').notNullable();
      // Who: 'cli', or the admin ('admin (api)', 'admin (page)').
      t.text('actor').notNullable();
      t.text('old_formula').notNullable();
      t.text('old_params_json').notNullable();
      t.text('new_formula').notNullable();
      t.text('new_params_json').notNullable();
      t.boolean('dry_run').notNullable();
      t.integer('results_total').notNullable();
      t.integer('results_changed').notNullable();
      t.integer('results_failed').notNullable();
      t.text('rank_diff_json').notNullable();
      t.index(['track', 'id'], 'rescore_audit_track_idx');
    });
  },

  async down(knex: Knex): Promise<void> {
    await knex.schema.dropTable('rescore_audit');
    await knex.schema.dropTable('track_formulas');
    await knex.schema.alterTable('submissions', (t) => {
      t.dropColumn('public_job_id');
    });
    await knex.schema.alterTable('jobs', (t) => {
      t.dropColumn('split');
    });
  },
};
