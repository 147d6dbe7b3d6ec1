import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase, withWriteTransaction, type Db } from './index.js';
import { MIGRATIONS_TABLE } from './migrations-table.js';
import { MIGRATIONS } from './migrations/index.js';
import { postgresTestDatabase, POSTGRES_TEST_URL } from './testing/databases.js';
import { useTempDir, useTestDatabase } from './testing/suite-hooks.js';

const NOW = 1_800_000_000_000;

function insertJob(db: Db, submissionId: string): Promise<unknown> {
  return db('jobs').insert({
    submission_id: submissionId,
    team: 't',
    track: 'x',
    target_kind: 'k',
    state: 'queued',
    max_attempts: 1,
    run_after: NOW,
    created_at: NOW,
    updated_at: NOW,
  });
}

describe('openDatabase on SQLite', () => {
  const tempDir = useTempDir('lpcv-db-');

  it('sets WAL, busy_timeout and foreign keys on the connection, and migrates once', async () => {
    const filename = join(tempDir(), 'a.sqlite');
    const db = await openDatabase({ client: 'sqlite', filename, busyTimeoutMs: 1234 });
    try {
      expect(db.dialect).toBe('sqlite');
      expect(await db.raw('PRAGMA journal_mode')).toEqual([{ journal_mode: 'wal' }]);
      expect(await db.raw('PRAGMA busy_timeout')).toEqual([{ timeout: 1234 }]);
      expect(await db.raw('PRAGMA foreign_keys')).toEqual([{ foreign_keys: 1 }]);
      await expect(db('job_events').insert({ job_id: 42, at: NOW, to_state: 'queued', actor: 'x' })).rejects.toThrow(/FOREIGN KEY/);
    } finally {
      await db.destroy();
    }
    const again = await openDatabase({ client: 'sqlite', filename });
    try {
      expect(await again(MIGRATIONS_TABLE).pluck('name')).toEqual(MIGRATIONS.map((m) => m.name));
    } finally {
      await again.destroy();
    }
  });

  it('refuses an in-memory database and bad settings, naming the key', async () => {
    await expect(openDatabase({ client: 'sqlite', filename: ':memory:' })).rejects.toThrow(/filename: expected a file path/);
    await expect(openDatabase({ client: 'sqlite', filename: join(tempDir(), 'b.sqlite'), busyTimeoutMs: -1 })).rejects.toThrow(/busyTimeoutMs/);
    await expect(openDatabase({ client: 'postgres', connectionString: POSTGRES_TEST_URL, schema: 'Bad-Name' })).rejects.toThrow(
      /schema: expected a lower-case identifier/,
    );
  });

  it('enforces the job table checks', async () => {
    const db = await openDatabase({ client: 'sqlite', filename: join(tempDir(), 'c.sqlite') });
    try {
      await expect(
        db('jobs').insert({
          submission_id: 's',
          team: 't',
          track: 'x',
          target_kind: 'k',
          state: 'running',
          max_attempts: 1,
          run_after: NOW,
          created_at: NOW,
          updated_at: NOW,
        }),
      ).rejects.toThrow(/CHECK/);
      // leased without a token
      await expect(
        db('jobs').insert({
          submission_id: 's',
          team: 't',
          track: 'x',
          target_kind: 'k',
          state: 'leased',
          max_attempts: 1,
          run_after: NOW,
          created_at: NOW,
          updated_at: NOW,
        }),
      ).rejects.toThrow(/CHECK/);
    } finally {
      await db.destroy();
    }
  });

  it('holds the write lock from the first statement of a write transaction', async () => {
    const filename = join(tempDir(), 'd.sqlite');
    const holder = await openDatabase({ client: 'sqlite', filename });
    // busy_timeout 0: a second connection is refused at once instead of waiting.
    const other = await openDatabase({ client: 'sqlite', filename, busyTimeoutMs: 0 });
    try {
      await withWriteTransaction(holder, async (tx) => {
        await tx('jobs').count({ n: '*' }); // only a read so far, yet the lock is already ours
        await expect(insertJob(other, 'blocked')).rejects.toThrow(/SQLITE_BUSY/);
        await insertJob(tx, 'inside');
      });
      await insertJob(other, 'after');
      expect(await holder('jobs').orderBy('id').pluck('submission_id')).toEqual(['inside', 'after']);
    } finally {
      await other.destroy();
      await holder.destroy();
    }
  });
});

describe('openDatabase on PostgreSQL', () => {
  const database = postgresTestDatabase();
  useTestDatabase(database);

  it('creates the schema, puts it on search_path, migrates once and reads BIGINT as a number', async () => {
    const config = database.config();
    if (config.client !== 'postgres' || config.schema === undefined) throw new Error('expected a PostgreSQL schema');
    const db = await database.open();
    try {
      expect(db.dialect).toBe('postgres');
      const path = (await db.raw('SHOW search_path')) as { rows: Array<{ search_path: string }> };
      expect(path.rows[0]?.search_path).toBe(config.schema);
      expect(await db(MIGRATIONS_TABLE).pluck('name')).toEqual(MIGRATIONS.map((m) => m.name));
      await insertJob(db, 'big');
      const row = (await db('jobs').where('submission_id', 'big').first()) as { run_after: unknown; id: unknown };
      expect(row.run_after).toBe(NOW);
      const tables = (await db('information_schema.tables').where('table_schema', config.schema).pluck('table_name')) as string[];
      expect(tables.sort()).toEqual([
        'account_links',
        'accounts',
        'admin_audit',
        'agents',
        'board_changes',
        'board_version',
        'competition_audit',
        'competitions',
        'devices',
        'entry_selections',
        'job_events',
        'job_logs',
        'jobs',
        'lpcv_migrations',
        'lpcv_migrations_lock',
        'queue_teams',
        'reference_runs',
        'rescore_audit',
        'results',
        'server_settings',
        'submissions',
        'team_members',
        'teams',
        'tokens',
        'track_formulas',
        'track_reveals',
        'webhook_deliveries',
      ]);
      // 0008: the record lives in results only; the lease reads the artifact format from the job row.
      const jobColumns = Object.keys(await db('jobs').columnInfo());
      expect(jobColumns).toContain('artifact_format');
      expect(jobColumns).not.toContain('result_json');
      expect(await db('results').columnInfo('raw_json')).toMatchObject({ type: 'text', nullable: true });
    } finally {
      await db.destroy();
    }
  });

  it('fails fast and says so when the server cannot be reached', async () => {
    await expect(openDatabase({ client: 'postgres', connectionString: 'postgres://postgres@127.0.0.1:1/test' })).rejects.toThrow(/ECONNREFUSED/);
  });
});
