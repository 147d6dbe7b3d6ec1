/**
 * Keeps "only server/queue touches jobs" true (docs/queue.md): no production file elsewhere in server/ names
 * the queue's tables in a query. Tests and testing/ folders may read them to check them; migrations
 * create them.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SERVER = fileURLToPath(new URL('..', import.meta.url));
const QUEUE_TABLES = ['jobs', 'queue_teams', 'job_events'];
const TABLE = QUEUE_TABLES.join('|');

/** A table named as knex takes it (`db('jobs')`, `'jobs as j'`) or in raw SQL (`FROM jobs`, `JOIN job_events`). */
const QUERY_OF_QUEUE_TABLE = new RegExp(`(['"](?:${TABLE})(?: as \\w+)?['"])|\\b(?:FROM|JOIN|UPDATE|INTO)\\s+(?:${TABLE})\\b`);
/** A comment line: prose may name the tables (`jobs.split`, "the owner of `jobs`"). */
const COMMENT = /^\s*(\*|\/\/|\/\*)/;

/** The lines of `source` that query a queue table, as `line: text`. */
function queueTableQueries(source: string): string[] {
  return source.split('\n').flatMap((line, i) => (!COMMENT.test(line) && QUERY_OF_QUEUE_TABLE.test(line) ? [`${i + 1}: ${line.trim()}`] : []));
}

function productionFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'testing' || entry.name === 'node_modules' ? [] : productionFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

describe('the queue owns its tables', () => {
  it('finds a query of jobs, queue_teams or job_events in knex and in raw SQL, and not in prose', () => {
    expect(queueTableQueries("const row = await db('jobs').where('id', 1).first();")).toHaveLength(1);
    expect(queueTableQueries(".join('jobs as j', 'j.id', 's.job_id')")).toHaveLength(1);
    expect(queueTableQueries('await db.raw(`SELECT 1 FROM job_events WHERE job_id = ?`, [id]);')).toHaveLength(1);
    expect(queueTableQueries("await tx('queue_teams').insert(row);")).toHaveLength(1);
    expect(queueTableQueries(' * the jobs of a submission (jobs.split) read FROM jobs through server/queue, the owner of `jobs`')).toEqual([]);
    expect(queueTableQueries('// JOIN jobs here would be wrong')).toEqual([]);
    expect(queueTableQueries("await db('results').where('job_id', id);")).toEqual([]);
  });

  it('has no production file outside server/queue and the migrations that queries them', () => {
    const offenders = productionFiles(SERVER).flatMap((file) => {
      const rel = relative(SERVER, file).split(sep).join('/');
      if (rel.startsWith('queue/') || rel.startsWith('db/migrations/')) return [];
      return queueTableQueries(readFileSync(file, 'utf8')).map((line) => `server/${rel}:${line}`);
    });
    expect(offenders).toEqual([]);
  });
});
