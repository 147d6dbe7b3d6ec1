/**
 * Migration 0008 (one result store) on a database made with the old schema, 0001..0007, on SQLite and on
 * PostgreSQL: done jobs of every kind (a submission's private- and public-split jobs, a baseline's job and
 * its device's reference run, all completed the agent API's way with a results row; one completed some
 * other way, with its record in the job row only; one whose two copies differ), and jobs not done. After
 * the migration every record is in `results`, and the server's readers find each one where they used to
 * (the leaderboard, the status page, the submissions API); the lease filters formats on the job row.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ResultRecord } from '../../harness/result-record.js';
import { resolveTrack } from '../../harness/tracks/load-track.js';
import type { Track } from '../../harness/tracks/track.js';
import { buildLeaderboard } from '../leaderboard/index.js';
import { resultRecord } from '../leaderboard/testing/results.js';
import { submissionDetails } from '../pages/submission-details.js';
import { getJobs, leaseJob } from '../queue/index.js';
import { getRecordJsonOfJob, getResultOfJob } from '../scoring/results-table.js';
import { findTeamSubmission } from '../submissions/submissions-table.js';
import { migrateToLatest, openDatabase, type DatabaseConfig, type Db } from './index.js';
import { MIGRATIONS } from './migrations/index.js';
import { oneResultStoreMigration } from './migrations/0008-one-result-store.js';
import { MIGRATIONS_TABLE } from './migrations-table.js';
import { POSTGRES_TEST_URL } from './testing/databases.js';
import { useTempDir } from './testing/suite-hooks.js';

const T0 = 1_800_000_000_000;
const OLD = MIGRATIONS.slice(0, MIGRATIONS.indexOf(oneResultStoreMigration));
const PLAIN: Track = resolveTrack('fashion-mnist');
/** The same track with a public leaderboard split (its submissions have a second job, on val). */
const TRACK: Track = { ...PLAIN, leaderboard: { entry: 'best', publicSplit: 'val', privateSplit: 'test' } };
const record = (split: string, score: number): string => JSON.stringify(resultRecord(TRACK.name, split, { top1: score / 1000, p50: 1, score }));
const RAW = JSON.stringify({ measurement: { latencyMs: [1, 1, 1] }, note: 'the raw completion, kept as it was' });

/** The old schema's databases: a fresh one per call, so that a test can leave its own behind. */
interface OldDatabases {
  readonly name: string;
  fresh(): Promise<Db>;
}

function sqliteDatabases(dir: () => string): OldDatabases {
  let n = 0;
  return { name: 'SQLite', fresh: () => openDatabase({ client: 'sqlite', filename: join(dir(), `old-${++n}.sqlite`) }, { migrate: false }) };
}

function postgresDatabases(): OldDatabases & { dropAll(): Promise<void> } {
  const schemas: string[] = [];
  return {
    name: 'PostgreSQL',
    fresh() {
      const schema = `lpcv_test_0008_${randomBytes(5).toString('hex')}`;
      schemas.push(schema);
      const config: DatabaseConfig = { client: 'postgres', connectionString: POSTGRES_TEST_URL, schema, poolMax: 2 };
      return openDatabase(config, { migrate: false });
    },
    async dropAll() {
      const admin = await openDatabase({ client: 'postgres', connectionString: POSTGRES_TEST_URL, poolMax: 1 }, { migrate: false });
      try {
        for (const schema of schemas) await admin.raw(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      } finally {
        await admin.destroy();
      }
    },
  };
}

interface OldJob {
  readonly submission: string;
  readonly team: string;
  readonly state: 'queued' | 'leased' | 'done' | 'failed';
  readonly split?: string;
  readonly pinnedDeviceId?: number;
  readonly resultJson?: string;
}

/** A job row of the 0007 schema (with its result_json), as the old queue wrote it. */
async function insertOldJob(db: Db, job: OldJob, at: number): Promise<number> {
  const [row] = (await db('jobs')
    .insert({
      submission_id: job.submission,
      team: job.team,
      track: TRACK.name,
      target_kind: 'desktop',
      state: job.state,
      attempts: job.state === 'queued' ? 0 : 1,
      max_attempts: 5,
      run_after: at,
      created_at: at,
      updated_at: at,
      split: job.split ?? null,
      pinned_device_id: job.pinnedDeviceId ?? null,
      ...(job.state === 'leased' ? { lease_token: 'old-token', leased_by: 'device:1', lease_expires_at: at + 60_000 } : {}),
      ...(job.state === 'done' || job.state === 'failed' ? { finished_at: at + 10 } : {}),
      ...(job.state === 'failed' ? { last_error_code: 'LPCV_E_MODEL_CRASHED', last_error_message: 'crashed', error_fault: 'submission' } : {}),
      result_json: job.resultJson ?? null,
    })
    .returning('id')) as Array<{ id: number }>;
  return row!.id;
}

interface OldWorld {
  /** Submission key -> its team's id. */
  readonly teamOf: Record<string, number>;
  /** Done job id -> the record the old readers showed (the job's result_json). */
  readonly records: Map<number, string>;
  readonly jobs: Record<string, number>;
  readonly submissions: Record<string, string>;
}

/** A competition's database as 0007 left it; every done job completed as the old agent API did unless said. */
async function buildOldWorld(db: Db): Promise<OldWorld> {
  const team = async (name: string): Promise<number> => ((await db('teams').insert({ name, created_at: T0 }).returning('id')) as Array<{ id: number }>)[0]!.id;
  const [alpha, beta, gamma] = [await team('alpha'), await team('beta'), await team('gamma')];
  const teamOf: Record<string, number> = {};
  const baseline = (await db('teams').where('name', 'baseline').first('id')) as { id: number };
  const [agent] = (await db('agents').insert({ name: 'bench', created_at: T0 }).returning('id')) as Array<{ id: number }>;
  const [device] = (await db('devices')
    .insert({ agent_id: agent!.id, name: 'desk-1', kind: 'desktop', last_seen_at: T0, created_at: T0 })
    .returning('id')) as Array<{ id: number }>;
  const records = new Map<number, string>();
  const jobs: Record<string, number> = {};
  const submissions: Record<string, string> = {};
  let at = T0;

  /** A submission with its job(s); `done` completes them, writing the results row like the old agent API, unless `how` says otherwise. */
  const submit = async (
    key: string,
    teamId: number,
    format: string,
    state: OldJob['state'],
    how: 'agent-api' | 'job-row-only' | 'copies-differ' = 'agent-api',
    extra: { baseline?: string; publicScore?: number } = {},
  ): Promise<void> => {
    const id = `sub${key.padEnd(13, '0')}`;
    submissions[key] = id;
    teamOf[key] = teamId;
    const score = 100 + Object.keys(jobs).length;
    const privateRecord = state === 'done' ? record('test', score) : undefined;
    const privateJob = await insertOldJob(
      db,
      { submission: id, team: String(teamId), state, split: 'test', ...(privateRecord ? { resultJson: privateRecord } : {}) },
      (at += 1000),
    );
    jobs[key] = privateJob;
    let publicJob: number | null = null;
    if (extra.publicScore !== undefined) {
      publicJob = await insertOldJob(
        db,
        { submission: id, team: String(teamId), state: 'done', split: 'val', resultJson: record('val', extra.publicScore) },
        (at += 1000),
      );
      jobs[`${key}-public`] = publicJob;
    }
    await db('submissions').insert({
      id,
      team_id: teamId,
      track: TRACK.name,
      split: 'test',
      sha256: 'ab'.repeat(32),
      bytes: 1234,
      format,
      filename: `${key}.${format}`,
      job_id: privateJob,
      public_job_id: publicJob,
      baseline_name: extra.baseline ?? null,
      created_at: at,
    });
    for (const [jobId, json] of [
      [privateJob, privateRecord],
      [publicJob, publicJob === null ? undefined : record('val', extra.publicScore!)],
    ] as const) {
      if (jobId === null || json === undefined) continue;
      records.set(jobId, json);
      if (how === 'job-row-only') continue;
      // The results copy: the same text, except where a test wants the two apart.
      await db('results').insert({
        job_id: jobId,
        submission_id: id,
        record_json: how === 'copies-differ' ? record('test', 1) : json,
        raw_json: RAW,
        created_at: at,
      });
    }
  };

  await submit('A', alpha, 'onnx', 'done', 'agent-api', { publicScore: 300 });
  await submit('B', beta, 'zip', 'done', 'job-row-only');
  await submit('C', gamma, 'tflite', 'done', 'copies-differ');
  await submit('Base', baseline.id, 'onnx', 'done', 'agent-api', { baseline: 'b1' });
  await submit('Q', alpha, 'onnx', 'queued');
  await submit('L', alpha, 'zip', 'leased');
  await submit('F', alpha, 'onnx', 'failed');

  // The baseline's device reference run: an extra job of its submission, done (with its results row), and one queued.
  for (const state of ['done', 'queued'] as const) {
    const json = state === 'done' ? record('test', 42) : undefined;
    const jobId = await insertOldJob(
      db,
      { submission: submissions.Base!, team: String(baseline.id), state, pinnedDeviceId: device!.id, ...(json ? { resultJson: json } : {}) },
      (at += 1000),
    );
    jobs[`reference-${state}`] = jobId;
    await db('reference_runs').insert({
      job_id: jobId,
      device_id: device!.id,
      track: TRACK.name,
      submission_id: submissions.Base!,
      baseline_name: 'b1',
      sha256: 'ab'.repeat(32),
      created_at: at,
    });
    if (json !== undefined) {
      records.set(jobId, json);
      await db('results').insert({ job_id: jobId, submission_id: submissions.Base!, record_json: json, raw_json: RAW, created_at: at });
    }
  }
  return { teamOf, records, jobs, submissions };
}

async function columnsOf(db: Db, table: string): Promise<string[]> {
  return Object.keys(await db(table).columnInfo()).sort();
}

function migrationSuite(databases: OldDatabases): void {
  describe(`migration 0008-one-result-store on ${databases.name}`, () => {
    it('moves every result of a 0007 database into results, and every reader finds it there', async () => {
      const db = await databases.fresh();
      try {
        expect(await migrateToLatest(db, OLD)).toEqual(OLD.map((m) => m.name));
        expect(await columnsOf(db, 'jobs')).toContain('result_json');
        const world = await buildOldWorld(db);
        const resultsBefore = Number(((await db('results').count({ n: '*' })) as Array<{ n: number | string }>)[0]!.n);

        expect((await migrateToLatest(db))[0]).toBe('0008-one-result-store');
        expect(await db(MIGRATIONS_TABLE).pluck('name')).toEqual(MIGRATIONS.map((m) => m.name));
        const jobColumns = await columnsOf(db, 'jobs');
        expect(jobColumns).toContain('artifact_format');
        expect(jobColumns).not.toContain('result_json');

        // One results row per done job, holding the record the old readers showed (the job's copy), and
        // only the record that lived in the job row alone lacks its raw measurement.
        const done = (await getJobs(db, Object.values(world.jobs))).filter((j) => j.state === 'done');
        expect(done.map((j) => j.id).sort((a, b) => a - b)).toEqual([...world.records.keys()].sort((a, b) => a - b));
        for (const job of done) {
          const stored = await getResultOfJob(db, job.id);
          expect(stored?.recordJson, `job ${job.id}`).toBe(world.records.get(job.id));
          expect(stored?.submissionId).toBe(job.submissionId);
          expect(stored?.rawJson).toBe(job.id === world.jobs.B ? null : RAW);
        }
        expect(Number(((await db('results').count({ n: '*' })) as Array<{ n: number | string }>)[0]!.n)).toBe(resultsBefore + 1);
        expect(await getRecordJsonOfJob(db, world.jobs.Q!)).toBeUndefined();

        // Each job's artifact format is its submission's (reference runs: the baseline's).
        const byId = new Map((await getJobs(db, Object.values(world.jobs))).map((j) => [j.id, j.artifactFormat]));
        expect(Object.fromEntries(Object.entries(world.jobs).map(([key, id]) => [key, byId.get(id)]))).toEqual({
          A: 'onnx',
          'A-public': 'onnx',
          B: 'zip',
          C: 'tflite',
          Base: 'onnx',
          Q: 'onnx',
          L: 'zip',
          F: 'onnx',
          'reference-done': 'onnx',
          'reference-queued': 'onnx',
        });

        // The readers: the boards, the status page, the submissions API.
        const admin = { kind: 'admin' } as const;
        const entries = async (track: Track, board: 'public' | 'private'): Promise<Record<string, number | null>> =>
          Object.fromEntries((await buildLeaderboard(db, track, admin, { board })).entries.map((e) => [e.submission, e.score]));
        const scoreOf = (key: string): number | null => (JSON.parse(world.records.get(world.jobs[key]!)!) as ResultRecord).score.value;
        const sub = world.submissions;
        // Every private-split result, one entry per team (the baseline's reference run is no entry).
        expect(await entries(PLAIN, 'private')).toEqual({
          [sub.A!]: scoreOf('A'),
          [sub.B!]: scoreOf('B'),
          [sub.C!]: scoreOf('C'),
          [sub.Base!]: scoreOf('Base'),
        });
        // With the public split, the public-split job's result (300); only A has one, so only A is chosen.
        expect(await entries(TRACK, 'public')).toEqual({ [sub.A!]: 300 });
        expect(await entries(TRACK, 'private')).toEqual({ [sub.A!]: scoreOf('A') });
        for (const key of ['A', 'B', 'C']) {
          const details = await submissionDetails(db, sub[key]!, admin);
          expect(details?.result?.score.value, key).toBe(scoreOf(key));
          expect((await findTeamSubmission(db, world.teamOf[key]!, sub[key]!))?.resultJson, key).toBe(world.records.get(world.jobs[key]!));
        }
        expect((await submissionDetails(db, world.submissions.Q!, admin))?.result).toBeNull();

        // The lease filters a device's formats on the job row: the queued ONNX job, and the old leased zip job stays held.
        expect(await leaseJob(db, { agentId: 'device:9', targetKinds: ['desktop'], leaseMs: 60_000, formats: ['zip'] }, T0 + 1e7)).toBeNull();
        const leased = await leaseJob(db, { agentId: 'device:9', targetKinds: ['desktop'], leaseMs: 60_000, formats: ['onnx'] }, T0 + 1e7);
        expect(leased?.job).toMatchObject({ id: world.jobs.Q, artifactFormat: 'onnx' });
      } finally {
        await db.destroy();
      }
    });

    it('goes down to 0007 and up again without losing a record', async () => {
      const db = await databases.fresh();
      try {
        await migrateToLatest(db, OLD);
        const world = await buildOldWorld(db);
        await migrateToLatest(db);
        await db.transaction((tx) => oneResultStoreMigration.down(tx));
        expect(await columnsOf(db, 'jobs')).toContain('result_json');
        expect(await columnsOf(db, 'jobs')).not.toContain('artifact_format');
        const rows = (await db('jobs').whereNotNull('result_json').select('id', 'result_json')) as Array<{ id: number; result_json: string }>;
        expect(new Map(rows.map((r) => [r.id, r.result_json]))).toEqual(world.records);
        await expect(
          db('results').insert({ job_id: world.jobs.Q, submission_id: world.submissions.Q, record_json: '{}', raw_json: null, created_at: T0 }),
        ).rejects.toThrow(/NOT NULL|null value/);
        await db.transaction((tx) => oneResultStoreMigration.up(tx));
        for (const [jobId, json] of world.records) expect(await getRecordJsonOfJob(db, jobId)).toBe(json);
      } finally {
        await db.destroy();
      }
    });

    it('refuses, changing nothing, a done job whose record has no submission to belong to', async () => {
      const db = await databases.fresh();
      try {
        await migrateToLatest(db, OLD);
        const orphan = await insertOldJob(db, { submission: 'no-such-submission', team: 't', state: 'done', resultJson: record('test', 5) }, T0);
        await expect(migrateToLatest(db)).rejects.toThrow(
          new RegExp(`done job\\(s\\) ${orphan} keep a result record in jobs.result_json but have no submission row`),
        );
        expect(await db(MIGRATIONS_TABLE).pluck('name')).toEqual(OLD.map((m) => m.name));
        expect(await columnsOf(db, 'jobs')).toContain('result_json');
        expect(await columnsOf(db, 'jobs')).not.toContain('artifact_format');
        expect(((await db('jobs').where('id', orphan).first('result_json')) as { result_json: string }).result_json).toBe(record('test', 5));
      } finally {
        await db.destroy();
      }
    });
  });
}

migrationSuite(sqliteDatabases(useTempDir('lpcv-0008-')));

const postgres = postgresDatabases();
afterAll(() => postgres.dropAll());
migrationSuite(postgres);
