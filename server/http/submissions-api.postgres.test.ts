import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { postgresTestDatabase } from '../db/test-databases.js';
import { checkAcceptedUpload } from './submissions-acceptance.js';
import { startTestApi, type TestApi } from './test-api-server.js';

describe('the submissions API on PostgreSQL', () => {
  const database = postgresTestDatabase();
  let api: TestApi;
  let failed = false;
  beforeAll(async () => {
    try {
      await database.create();
      api = await startTestApi(await database.open(), 'pg');
    } catch (e) {
      failed = true;
      throw e;
    }
  });
  beforeEach(({ onTestFailed }) => onTestFailed(() => void (failed = true)));
  afterAll(async () => {
    await api?.close();
    await database.dispose(failed);
  });

  it('accepts an upload: 201, the row and its queued job in the database, GET shows it queued', async () => {
    await checkAcceptedUpload(api);
    expect(api.internalErrors).toEqual([]);
  });
});
