import type { Knex } from 'knex';
import type { Migration } from './migration.js';

/**
 * Accounts and teams with members (docs/accounts.md):
 *
 * - `accounts`: a person, by e-mail (unique regardless of case: ASCII lower-cased by the server before it is
 *   stored, so `email` holds the lower-case form), with a password hashed by scrypt (null for an account that
 *   signs in by e-mailed links only), when the address was verified, when an admin disabled it.
 * - `team_members`: an account's team (at most one) and its role: the `captain` invites and removes members.
 * - `account_links`: single-use links sent by e-mail (verify an address, sign in, join a team), stored as the
 *   SHA-256 of their token like every token here; they expire and are marked used.
 * - `tokens.account_id`: a member's own API token is a team token that names its member, revoked when the
 *   member leaves or is removed. Null on team tokens made by `lpcv admin team add`.
 * - `teams.disabled_at`: an admin's switch; a disabled team's tokens and sessions are refused.
 * - `teams.approved_at`: under registration "approval" a new team waits for an admin; teams made before
 *   this migration, and by `lpcv admin team add`, are approved.
 */
export const accountsMigration: Migration = {
  name: '0011-accounts',

  async up(knex: Knex): Promise<void> {
    await knex.schema.createTable('accounts', (t) => {
      t.increments('id').primary();
      t.text('email').notNullable().unique({ indexName: 'accounts_email_key' });
      t.text('password_hash').nullable();
      t.bigInteger('verified_at').nullable();
      t.bigInteger('created_at').notNullable();
      t.bigInteger('disabled_at').nullable();
    });
    await knex.schema.createTable('team_members', (t) => {
      t.integer('team_id').notNullable().references('id').inTable('teams').onDelete('CASCADE');
      t.integer('account_id').notNullable().references('id').inTable('accounts').onDelete('CASCADE');
      t.text('role').notNullable();
      t.bigInteger('joined_at').notNullable();
      t.primary(['team_id', 'account_id']);
      t.unique(['account_id'], { indexName: 'team_members_one_team_key' });
      t.check(`role IN ('captain', 'member')`, {}, 'team_members_role_check');
    });
    await knex.schema.createTable('account_links', (t) => {
      t.increments('id').primary();
      t.text('purpose').notNullable();
      t.text('token_hash').notNullable().unique({ indexName: 'account_links_token_hash_key' });
      t.text('email').notNullable();
      t.integer('account_id').nullable();
      t.integer('team_id').nullable();
      t.bigInteger('created_at').notNullable();
      t.bigInteger('expires_at').notNullable();
      t.bigInteger('used_at').nullable();
      t.check(`purpose IN ('verify', 'sign-in', 'invite')`, {}, 'account_links_purpose_check');
    });
    await knex.schema.alterTable('tokens', (t) => {
      t.integer('account_id').nullable();
    });
    await knex.schema.alterTable('teams', (t) => {
      t.bigInteger('disabled_at').nullable();
      t.bigInteger('approved_at').nullable();
    });
    await knex('teams').update({ approved_at: knex.ref('created_at') });
  },

  async down(knex: Knex): Promise<void> {
    await knex.schema.alterTable('teams', (t) => {
      t.dropColumn('approved_at');
      t.dropColumn('disabled_at');
    });
    await knex.schema.alterTable('tokens', (t) => {
      t.dropColumn('account_id');
    });
    await knex.schema.dropTable('account_links');
    await knex.schema.dropTable('team_members');
    await knex.schema.dropTable('accounts');
  },
};
