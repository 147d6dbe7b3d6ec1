import { describe, expect, it } from 'vitest';
import { postgresTestDatabase } from '../db/testing/databases.js';
import { useTestDatabase } from '../db/testing/suite-hooks.js';
import { checkAcceptedUpload } from '../submissions/testing/check-accepted-upload.js';
import { startTestApi, type TestApi } from './testing/api-server.js';

describe('the submissions API on PostgreSQL', () => {
  const database = postgresTestDatabase();
  let api: TestApi;
  useTestDatabase(database, {
    setUp: async () => void (api = await startTestApi(database, 'pg')),
    tearDown: async () => api?.close(),
  });

  it('accepts an upload: 201, the row and its queued job in the database, GET shows it queued', async () => {
    await checkAcceptedUpload(api);
    expect(api.internalErrors).toEqual([]);
  });
});
