/**
 * For the HTTP tests: the main path, run on SQLite and on PostgreSQL. A team uploads a model that fits the
 * track; the answer is 201 with an id; the row and its queued job exist; GET shows it queued.
 */
import { expect } from 'vitest';
import { fixtureBytes } from '../../../test/testing/onnx-fixtures.js';
import { getJob } from '../../queue/index.js';
import { getSubmission, postSubmission, type SubmissionRow, type TestApi } from '../../http/testing/api-server.js';

export async function checkAcceptedUpload(api: TestApi): Promise<SubmissionRow> {
  const model = fixtureBytes('tiny-conv.onnx');
  const posted = await postSubmission(
    api,
    [
      { name: 'track', value: 'fashion-mnist' },
      { name: 'description', value: 'tiny conv, first try' },
      { name: 'file', value: model, filename: '../../x.onnx' },
    ],
    api.teamA.token,
  );
  expect(posted.status).toBe(201);
  const { id } = (await posted.json()) as { id: string };
  expect(id).toMatch(/^[A-Za-z0-9_-]{16}$/);

  const row = (await api.db('submissions').where('id', id).first()) as SubmissionRow;
  expect(row).toMatchObject({
    team_id: api.teamA.id,
    track: 'fashion-mnist',
    split: 'test',
    bytes: model.length,
    format: 'onnx',
    filename: 'x.onnx',
    description: 'tiny conv, first try',
  });
  expect(await api.store.has(row.sha256)).toBe(true);
  const job = await getJob(api.db, row.job_id);
  expect(job).toMatchObject({ submissionId: id, team: String(api.teamA.id), track: 'fashion-mnist', targetKind: 'desktop', state: 'queued' });

  const got = await getSubmission(api, id, api.teamA.token);
  expect(got.status).toBe(200);
  expect(await got.json()).toMatchObject({
    id,
    status: 'queued',
    track: 'fashion-mnist',
    createdAt: row.created_at,
    target: null,
    logs: [],
    logsHidden: false,
  });
  return row;
}
