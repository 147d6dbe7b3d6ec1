import type { Knex } from 'knex';
import type { Migration } from './migration.js';

/**
 * The index the lease's per-team pick walks (server/queue/lease-pick.ts): queued jobs by target kind, then
 * team, then the order within a team (priority, higher first; then oldest). The pick finds the teams with
 * queued jobs of a kind by skipping through it (one probe per team), and takes each team's next job from
 * the front of that team's range, so one lease reads a few rows per team however deep the queue is.
 * Before it, the pick sorted every queued job: 29 ms on SQLite and 80 ms on PostgreSQL with 100,000 queued
 * (bench/lease-depth.ts). Partial, like jobs_queued_idx: as small as the queue, not the history.
 */
export const queueLeaseIndexMigration: Migration = {
  name: '0013-queue-lease-index',

  async up(knex: Knex): Promise<void> {
    await knex.raw(`CREATE INDEX jobs_lease_pick_idx ON jobs (target_kind, team, priority DESC, created_at, id) WHERE state = 'queued'`);
    // Its first column makes jobs_queued_idx (target_kind, run_after) redundant, and on a table not yet
    // analyzed PostgreSQL chose that one for the pick's probes (then sorted a kind's whole queue per probe).
    await knex.raw('DROP INDEX jobs_queued_idx');
  },

  async down(knex: Knex): Promise<void> {
    await knex.raw(`CREATE INDEX jobs_queued_idx ON jobs (target_kind, run_after) WHERE state = 'queued'`);
    await knex.raw('DROP INDEX jobs_lease_pick_idx');
  },
};
