import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { resolveTrack } from '../../harness/tracks/load-track.js';
import type { Track } from '../../harness/tracks/track.js';
import { aihubJobArtifact } from '../../submissions/aihub/aihub-job-artifact.js';
import { fixtureBytes } from '../../test/testing/onnx-fixtures.js';
import { createTeam, type CreatedOwner } from '../auth/index.js';
import { postgresTestDatabase, sqliteTestDatabase, type TestDatabase } from '../db/testing/databases.js';
import { useTestDatabase } from '../db/testing/suite-hooks.js';
import { getJob } from '../queue/index.js';
import { TestBrowser } from '../pages/testing/browser.js';
import { getSubmission, postSubmission, type Part, type SubmissionRow } from './testing/api-server.js';
import { startTestServer, T0, type TestServer } from './testing/test-server.js';

const fashion = resolveTrack('fashion-mnist');
/** A track that takes only AI Hub compile jobs, one that also takes ONNX with a quota of 1 a day, and fashion-mnist, which takes none. */
const jobsOnly: Track = { ...fashion, name: 'aihub-s24', formats: ['aihub-job'] };
const jobsWithQuota: Track = { ...fashion, name: 'aihub-quota', formats: ['onnx', 'aihub-job'] };
const REFUSALS_ALLOWED = 5;

const canonical = (jobId: string): string => `{"kind":"aihub-compile-job","jobId":"${jobId}"}`;
const trackField = (name = jobsOnly.name): Part => ({ name: 'track', value: name });
const jobField = (jobId: string): Part => ({ name: 'aihubJob', value: jobId });
const modelFile: Part = { name: 'file', value: fixtureBytes('tiny-conv.onnx'), filename: 'm.onnx' };
/** What a browser sends for a file input left empty: a part with an empty file name and no bytes. */
const emptyFileInput: Part = { name: 'file', value: new Uint8Array(0), filename: '' };

function aihubJobIntake(database: TestDatabase): void {
  describe(`AI Hub compile job submissions over HTTP on ${database.name}`, () => {
    let server: TestServer;
    let team: CreatedOwner;
    let quotaTeam: CreatedOwner;
    let refusedTeam: CreatedOwner;
    let webTeam: CreatedOwner;
    useTestDatabase(database, {
      setUp: async () => {
        server = await startTestServer({
          database,
          tracks: [fashion, jobsOnly, jobsWithQuota],
          quota: { perDay: 0, perTrack: { [jobsWithQuota.name]: 1 } },
          refusalLimit: { max: REFUSALS_ALLOWED, windowMs: 600_000 },
        });
        team = await createTeam(server.db, `aihub-${database.name}`, T0);
        quotaTeam = await createTeam(server.db, `aihub-quota-${database.name}`, T0);
        refusedTeam = await createTeam(server.db, `aihub-refused-${database.name}`, T0);
        webTeam = await createTeam(server.db, `aihub-web-${database.name}`, T0);
      },
      tearDown: async () => server?.close(),
    });

    const count = async (table: string): Promise<number> => Number(((await server.db(table).count({ n: '*' })) as Array<{ n: number | string }>)[0]!.n);
    const snapshot = async (): Promise<{ files: string[]; submissions: number; jobs: number }> => ({
      files: server.storedFiles(),
      submissions: await count('submissions'),
      jobs: await count('jobs'),
    });

    async function expectRefused(parts: readonly Part[], status: number, code: string, by: CreatedOwner = team): Promise<string> {
      const before = await snapshot();
      const res = await postSubmission(server, parts, by.token);
      const body = (await res.json()) as { error: { code: string; message: string } };
      expect({ status: res.status, code: body.error?.code }).toEqual({ status, code });
      expect(await snapshot()).toEqual(before);
      return body.error.message;
    }

    async function expectAccepted(parts: readonly Part[], by: CreatedOwner = team): Promise<SubmissionRow> {
      const res = await postSubmission(server, parts, by.token);
      const body = (await res.json()) as { id?: string; error?: unknown };
      expect(res.status, JSON.stringify(body)).toBe(201);
      return (await server.db('submissions').where('id', body.id!).first()) as SubmissionRow;
    }

    it('takes a well-formed id: 201, the stored artifact is the canonical JSON, the submission and its job are aihub-job', async () => {
      const row = await expectAccepted([trackField(), { name: 'description', value: 'compiled for the S24' }, jobField('jgdx8v3p5')]);
      expect(row).toMatchObject({
        track: jobsOnly.name,
        format: 'aihub-job',
        bytes: 48,
        filename: 'aihub-job-jgdx8v3p5.json',
        description: 'compiled for the S24',
      });
      expect(readFileSync(server.store.path(row.sha256), 'utf8')).toBe(canonical('jgdx8v3p5'));
      expect(await getJob(server.db, row.job_id)).toMatchObject({ submissionId: row.id, state: 'queued', artifactFormat: 'aihub-job' });
      const got = await getSubmission(server, row.id, team.token);
      expect(await got.json()).toMatchObject({ status: 'queued', file: { format: 'aihub-job', bytes: 48, sha256: row.sha256 } });
      const artifact = await fetch(`${server.url}/api/submissions/${row.id}/artifact`, { headers: { authorization: `Bearer ${team.token}` } });
      expect(await artifact.text()).toBe(canonical('jgdx8v3p5'));
    });

    it('takes the description after the id, and the same reference uploaded as a file, stored once', async () => {
      const late = await expectAccepted([trackField(), jobField('j1p3kx9qg'), { name: 'description', value: 'sent last' }]);
      expect(late.description).toBe('sent last');
      const asFile = await expectAccepted([trackField(), { name: 'file', value: aihubJobArtifact('j1p3kx9qg'), filename: 'job.json' }]);
      expect(asFile).toMatchObject({ format: 'aihub-job', sha256: late.sha256, filename: 'job.json' });
    });

    it('refuses a malformed id with LPCV_E_AIHUB_JOB_ID, storing nothing and using no quota', async () => {
      for (const bad of ['JGDX8V3P5', 'jgdx8v3p', '../../etc/passwd']) {
        const message = await expectRefused([trackField(jobsWithQuota.name), jobField(bad)], 422, 'LPCV_E_AIHUB_JOB_ID', quotaTeam);
        expect(message).toContain('is not an AI Hub job id');
      }
      // The track's one submission a day is still there; past it an id is refused like a file.
      await expectAccepted([trackField(jobsWithQuota.name), jobField('jgdx8v3p5')], quotaTeam);
      await expectRefused([trackField(jobsWithQuota.name), jobField('j1p3kx9qg')], 429, 'LPCV_E_QUOTA_EXCEEDED', quotaTeam);
    });

    it('counts malformed ids towards the cap on refused uploads, which then refuses before the id is read', async () => {
      for (let i = 0; i < REFUSALS_ALLOWED; i++) await expectRefused([trackField(), jobField(`bad-${i}`)], 422, 'LPCV_E_AIHUB_JOB_ID', refusedTeam);
      await expectRefused([trackField(), jobField('jgdx8v3p5')], 429, 'LPCV_E_RATE_LIMITED', refusedTeam);
    });

    it('refuses a form with both a file and an id, with neither, with the id twice or before the track', async () => {
      const both = await expectRefused([trackField(jobsWithQuota.name), jobField('jgdx8v3p5'), modelFile], 400, 'LPCV_E_FORM_FIELD');
      expect(both).toMatch(/both a "file" and an "aihubJob"/);
      await expectRefused([trackField(jobsWithQuota.name), modelFile, jobField('jgdx8v3p5')], 400, 'LPCV_E_FORM_FIELD');
      expect(await expectRefused([trackField()], 400, 'LPCV_E_FORM_FIELD')).toMatch(/no "file" \(or "aihubJob"\)/);
      expect(await expectRefused([trackField(), emptyFileInput], 400, 'LPCV_E_FORM_FIELD')).toMatch(/no "file" \(or "aihubJob"\)/);
      await expectRefused([trackField(), jobField('jgdx8v3p5'), jobField('j1p3kx9qg')], 400, 'LPCV_E_FORM_FIELD');
      await expectRefused([jobField('jgdx8v3p5'), trackField()], 400, 'LPCV_E_FORM_ORDER');
      // A nameless file part with bytes is not an empty file input.
      await expectRefused([trackField(), jobField('jgdx8v3p5'), { name: 'file', value: new Uint8Array([1, 2, 3]), filename: '' }], 400, 'LPCV_E_FORM_FIELD');
    });

    it('refuses an id on a track that does not take AI Hub compile jobs, with the wrong-format code', async () => {
      const message = await expectRefused([trackField(fashion.name), jobField('jgdx8v3p5')], 415, 'LPCV_E_MODEL_FORMAT');
      expect(message).toContain('AI Hub compile job');
      expect(message).toContain('accepts onnx');
    });

    it('takes an id through the web form, whose empty file input comes along, and shows the field only where a track takes jobs', async () => {
      const b = new TestBrowser(server.url);
      const form = await b.get('/submit');
      expect(form.body).toMatch(/<label for="aihubJob">AI Hub compile job id<span class="hint">instead of a file, on aihub-s24, aihub-quota<\/span>/);
      expect(form.body).toContain('<input type="file" id="file" name="file" accept=');
      const csrf = TestBrowser.formToken(form);
      const sent = await b.postMultipart('/submit', [
        ['_csrf', csrf],
        ['token', webTeam.token],
        ['track', jobsOnly.name],
        ['description', 'from the browser'],
        ['aihubJob', 'jqp48jw8g'],
        ['file', new Uint8Array(0), ''],
      ]);
      expect(sent.status, sent.body).toBe(303);
      const id = /^\/submissions\/([A-Za-z0-9_-]{16})$/.exec(sent.location ?? '')?.[1];
      expect(await server.db('submissions').where('id', id!).first('format', 'team_id', 'description')).toEqual({
        format: 'aihub-job',
        team_id: webTeam.id,
        description: 'from the browser',
      });
      const refused = await b.postMultipart('/submit', [
        ['_csrf', TestBrowser.formToken(await b.get('/submit'))],
        ['track', jobsOnly.name],
        ['aihubJob', 'not-a-job'],
        ['file', new Uint8Array(0), ''],
      ]);
      expect(refused.status).toBe(422);
      expect(refused.body).toContain('LPCV_E_AIHUB_JOB_ID');
    });
  });
}

aihubJobIntake(sqliteTestDatabase());
aihubJobIntake(postgresTestDatabase());
