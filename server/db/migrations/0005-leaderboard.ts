import type { Knex } from 'knex';
import type { Migration } from './migration.js';

/** The reserved team that owns the organizers' baseline submissions (created here, so no participant has it). */
export const BASELINE_TEAM_NAME = 'baseline';

/**
 * What the pages and the leaderboard need beyond the queue:
 *
 * - `submissions.baseline_name`: set on an organizer's baseline (a track file's `baselines` entry, queued by
 *   `lpcv serve`); such a submission belongs to the reserved team `baseline`, is marked on the leaderboard
 *   and never ranked. The team has no token: nobody can submit as it.
 * - `jobs.progress_json`: what the device last reported of a running job (phase, done, total), written
 *   with its heartbeat by server/queue's heartbeatJob; cleared with the lease. Advisory, for the status page.
 * - `track_reveals`: a track whose hidden-split results an admin has revealed to everyone; without a row
 *   they are shown only to their team and admins.
 * - `server_settings`: server-wide secrets and settings kept in the database (so that several server
 *   processes on one PostgreSQL agree), e.g. the key that signs web form tokens.
 *
 * Times are integer epoch milliseconds (BIGINT), as in 0001-jobs.
 */
export const leaderboardMigration: Migration = {
  name: '0005-leaderboard',

  async up(knex: Knex): Promise<void> {
    await knex.schema.alterTable('submissions', (t) => {
      t.text('baseline_name').nullable();
    });
    await knex.schema.alterTable('jobs', (t) => {
      t.text('progress_json').nullable();
    });
    await knex.schema.createTable('track_reveals', (t) => {
      t.text('track').primary();
      t.bigInteger('revealed_at').notNullable();
      t.text('revealed_by').notNullable();
    });
    await knex.schema.createTable('server_settings', (t) => {
      t.text('key').primary();
      t.text('value').notNullable();
      t.bigInteger('created_at').notNullable();
    });
    const taken = await knex('teams').whereRaw('lower(name) = ?', [BASELINE_TEAM_NAME]).first('id');
    if (taken === undefined) await knex('teams').insert({ name: BASELINE_TEAM_NAME, created_at: 0 });
  },

  async down(knex: Knex): Promise<void> {
    await knex.schema.dropTable('server_settings');
    await knex.schema.dropTable('track_reveals');
    await knex.schema.alterTable('jobs', (t) => {
      t.dropColumn('progress_json');
    });
    await knex.schema.alterTable('submissions', (t) => {
      t.dropColumn('baseline_name');
    });
  },
};
