import type { Knex } from 'knex';
import type { Migration } from './migration.js';

/**
 * Running a competition (docs/running-a-competition.md): a team's selected entry, the organizers' audit of
 * operations, and the logs participants may read.
 *
 * - `entry_selections`: the submission a team picked as its entry on a track whose leaderboard says
 *   `entry: "selected"` (one row per team and track; choosing again replaces it). No foreign key to
 *   `submissions`, as in 0006-0007: SQLite cannot add one to an existing table's neighbours portably.
 * - `admin_audit`: every organizer operation that changes jobs or data (a re-run of a submission, of the dead
 *   jobs, of a track's entries; an export): who, when, what, and what it did (JSON).
 * - `job_logs`: bounded stdout/stderr tails of a job's run as its agent reported them (one row per job,
 *   attempt and stream; packages and board runs), shown on the status page unless the track hides them.
 */
export const competitionOperationsMigration: Migration = {
  name: '0010-competition-operations',

  async up(knex: Knex): Promise<void> {
    await knex.schema.createTable('entry_selections', (t) => {
      t.integer('team_id').notNullable();
      t.text('track').notNullable();
      t.text('submission_id').notNullable();
      t.bigInteger('selected_at').notNullable();
      t.text('selected_by').notNullable();
      t.primary(['team_id', 'track']);
    });
    await knex.schema.createTable('admin_audit', (t) => {
      t.increments('id').primary();
      t.bigInteger('at').notNullable();
      t.text('actor').notNullable();
      t.text('action').notNullable();
      t.text('detail_json').notNullable();
      t.index(['action', 'id'], 'admin_audit_action_idx');
    });
    await knex.schema.createTable('job_logs', (t) => {
      t.integer('job_id').notNullable();
      t.integer('attempt').notNullable();
      t.text('stream').notNullable();
      t.text('text').notNullable();
      t.boolean('truncated').notNullable();
      t.bigInteger('created_at').notNullable();
      t.primary(['job_id', 'attempt', 'stream']);
      t.check(`stream IN ('stdout', 'stderr')`, {}, 'job_logs_stream_check');
    });
  },

  async down(knex: Knex): Promise<void> {
    await knex.schema.dropTable('job_logs');
    await knex.schema.dropTable('admin_audit');
    await knex.schema.dropTable('entry_selections');
  },
};
