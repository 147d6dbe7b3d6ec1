import type { Knex } from 'knex';
import type { Migration } from './migration.js';

/**
 * One result store, and a lease that reads the job row only (docs/database.md, docs/queue.md):
 *
 * - `jobs.result_json` goes: a finished run's record lives in `results.record_json` only, beside the raw
 *   measurement it was scored from. Until now the completion wrote the same record to both in one
 *   transaction, and a re-score rewrote both; the leaderboard and the status pages read the job's copy.
 * - `results.raw_json` may be null: a result whose raw measurement was never kept, which a re-score refuses
 *   (LPCV_E_RESCORE_FAILED). Only results moved here from `jobs.result_json` have none.
 * - `jobs.artifact_format`: the format of the artifact the job runs (onnx, tflite, zip), copied from its
 *   submission so that the lease filters a device's formats without reading `submissions`. Null only on a
 *   job without a submission row, which a device that declares its formats never leases (as before).
 *
 * Nothing is lost. Every job the server completes got its `results` row in the completion's transaction
 * (server/http/agent-complete.ts, since 0004 created the table together with the agent API; baselines and
 * devices' reference runs complete through that API too), so a done job lacks one only if something else
 * completed it (a script, a test). Such a job's record becomes a `results` row with no raw measurement.
 * Where both copies exist and differ (nothing wrote them apart), the job's copy wins: it is the one the
 * leaderboard and the status page showed. A done job with a record but no submission row cannot have a
 * `results` row (its `submission_id` references `submissions`): the migration then stops and changes
 * nothing, naming the jobs, rather than drop their records.
 */
export const oneResultStoreMigration: Migration = {
  name: '0008-one-result-store',

  async up(knex: Knex): Promise<void> {
    // First, before anything changes: a record that cannot be moved stops the migration.
    const orphans = (await knex('jobs as j')
      .leftJoin('submissions as s', 's.id', 'j.submission_id')
      .leftJoin('results as r', 'r.job_id', 'j.id')
      .where('j.state', 'done')
      .whereNotNull('j.result_json')
      .whereNull('s.id')
      .whereNull('r.id')
      .orderBy('j.id')
      .pluck('j.id')) as number[];
    if (orphans.length > 0) {
      const shown = orphans.slice(0, 20).join(', ') + (orphans.length > 20 ? `, ... (${orphans.length} in all)` : '');
      throw new Error(
        `migration 0008-one-result-store: done job(s) ${shown} keep a result record in jobs.result_json but have no submission row, so the results table cannot take it; nothing was changed. Delete those jobs or add their submission rows, then start again.`,
      );
    }

    await knex.schema.alterTable('jobs', (t) => {
      t.text('artifact_format').nullable();
    });
    await knex.raw('UPDATE jobs SET artifact_format = (SELECT s.format FROM submissions s WHERE s.id = jobs.submission_id)');

    // SQLite: knex rebuilds the table (nothing references `results`, so dropping the old copy deletes
    // nothing elsewhere). PostgreSQL: ALTER COLUMN ... DROP NOT NULL.
    await knex.schema.alterTable('results', (t) => {
      t.setNullable('raw_json');
    });

    await knex.raw(
      `INSERT INTO results (job_id, submission_id, record_json, raw_json, created_at)
       SELECT j.id, j.submission_id, j.result_json, NULL, COALESCE(j.finished_at, j.updated_at)
       FROM jobs j
       WHERE j.state = 'done' AND j.result_json IS NOT NULL
         AND NOT EXISTS (SELECT 1 FROM results r WHERE r.job_id = j.id)
       ORDER BY j.id`,
    );
    await knex.raw(
      `UPDATE results SET record_json = (SELECT j.result_json FROM jobs j WHERE j.id = results.job_id)
       WHERE EXISTS (SELECT 1 FROM jobs j WHERE j.id = results.job_id AND j.result_json IS NOT NULL AND j.result_json <> results.record_json)`,
    );

    // Native on both (SQLite >= 3.35): knex's own dropColumn would rebuild `jobs` on SQLite, and dropping
    // the old copy of a table that others reference would cascade into job_events.
    await knex.raw('ALTER TABLE jobs DROP COLUMN result_json');
  },

  async down(knex: Knex): Promise<void> {
    await knex.raw('ALTER TABLE jobs ADD COLUMN result_json TEXT NULL');
    await knex.raw(`UPDATE jobs SET result_json = (SELECT r.record_json FROM results r WHERE r.job_id = jobs.id) WHERE jobs.state = 'done'`);
    // Before 0008 a result without its raw measurement lived in the job row only.
    await knex('results').whereNull('raw_json').delete();
    await knex.schema.alterTable('results', (t) => {
      t.dropNullable('raw_json');
    });
    await knex.raw('ALTER TABLE jobs DROP COLUMN artifact_format');
  },
};
