import type { Knex } from 'knex';
import type { Migration } from './migration.js';

/**
 * Teams, device agents and their bearer tokens (server/auth writes every row).
 *
 * Tokens are stored as their SHA-256 digest only, never in clear: a copy of the database (a backup, a
 * leaked file) must not let anyone submit as a team or lease jobs as an agent. A plain hash is enough
 * here, without bcrypt/scrypt-style stretching: stretching protects low-entropy secrets (passwords) from
 * guessing, and our tokens are 256 random bits, which no amount of guessing reaches. It also keeps the
 * hash deterministic, so a token is found by an indexed equality lookup on `token_hash`.
 *
 * Times are integer epoch milliseconds (BIGINT), as in 0001-jobs.
 */
export const teamsAgentsMigration: Migration = {
  name: '0002-teams-agents',

  async up(knex: Knex): Promise<void> {
    await knex.schema.createTable('teams', (t) => {
      t.increments('id').primary();
      t.text('name').notNullable().unique({ indexName: 'teams_name_key' });
      t.bigInteger('created_at').notNullable();
    });
    // Names are unique regardless of case too: "ACME" and "acme" on one leaderboard would confuse
    // everyone. Names are ASCII only (server/auth/names.ts), so lower() agrees on both databases.
    await knex.raw('CREATE UNIQUE INDEX teams_name_lower_key ON teams (lower(name))');

    await knex.schema.createTable('agents', (t) => {
      t.increments('id').primary();
      t.text('name').notNullable().unique({ indexName: 'agents_name_key' });
      t.bigInteger('created_at').notNullable();
      // A disabled agent's tokens are refused; its rows stay (job_events name it).
      t.bigInteger('disabled_at').nullable();
    });
    await knex.raw('CREATE UNIQUE INDEX agents_name_lower_key ON agents (lower(name))');

    await knex.schema.createTable('tokens', (t) => {
      t.increments('id').primary();
      t.text('kind').notNullable();
      // teams.id for 'team' and 'session' tokens, agents.id for 'agent' tokens (so no foreign key).
      t.integer('owner_id').notNullable();
      // hex SHA-256 of the whole token string; the token itself is never stored.
      t.text('token_hash').notNullable().unique({ indexName: 'tokens_token_hash_key' });
      // For display only ("lpcv_team_AbCdEfGh..."): the kind's prefix and the first 8 characters of the
      // random part, 48 of its 256 bits.
      t.text('prefix').notNullable();
      t.bigInteger('created_at').notNullable();
      t.bigInteger('last_used_at').nullable();
      // Session tokens (a web login) expire; team and agent tokens last until revoked.
      t.bigInteger('expires_at').nullable();
      t.bigInteger('revoked_at').nullable();
      t.check(`kind IN ('team', 'agent', 'session')`, {}, 'tokens_kind_check');
      t.index(['kind', 'owner_id'], 'tokens_owner_idx');
    });
  },

  async down(knex: Knex): Promise<void> {
    await knex.schema.dropTable('tokens');
    await knex.schema.dropTable('agents');
    await knex.schema.dropTable('teams');
  },
};
