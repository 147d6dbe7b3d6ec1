/**
 * Uploads that cost the server work without costing the team anything: the cap on refused uploads per team
 * (429 with Retry-After, before a byte of the file is read), and model checks in the worker pool, during
 * which the server goes on answering. Real HTTP, a real SQLite file, real worker threads.
 */
import { describe, expect, it } from 'vitest';
import { identityChainModel } from '../../test/testing/hostile-onnx.js';
import { fixtureBytes } from '../../test/testing/onnx-fixtures.js';
import { createTeam, type CreatedOwner } from '../auth/index.js';
import { sqliteTestDatabase } from '../db/testing/databases.js';
import { useTestDatabase } from '../db/testing/suite-hooks.js';
import { ModelCheckPool } from '../../submissions/validate/check-pool.js';
import { postSubmission } from './testing/api-server.js';
import { startTestServer, T0, type TestServer } from './testing/test-server.js';

const WINDOW_MS = 60_000;
const good = fixtureBytes('tiny-conv.onnx');
const notAModel = new TextEncoder().encode('these are not the weights you are looking for');

async function codeOf(res: Response): Promise<[number, string | undefined]> {
  const body = (await res.json()) as { error?: { code?: string } };
  return [res.status, body.error?.code];
}

const upload = (server: TestServer, bytes: Uint8Array, token: string): Promise<Response> =>
  postSubmission(
    server,
    [
      { name: 'track', value: 'fashion-mnist' },
      { name: 'file', value: bytes, filename: 'model.onnx' },
    ],
    token,
  );

describe('refused uploads and the server', () => {
  const database = sqliteTestDatabase();
  useTestDatabase(database);

  it("caps a team's refused uploads: past the cap every upload of that team is 429 with Retry-After until the window moves on", async () => {
    let clock = T0;
    const server = await startTestServer({ database, now: () => clock, refusalLimit: { max: 3, windowMs: WINDOW_MS }, quota: { perDay: 10 } });
    try {
      const a: CreatedOwner = await createTeam(server.db, 'cap-a', T0);
      const b: CreatedOwner = await createTeam(server.db, 'cap-b', T0);
      for (let i = 0; i < 3; i++) {
        clock += 1000;
        expect(await codeOf(await upload(server, notAModel, a.token))).toEqual([415, 'LPCV_E_MODEL_NOT_ONNX']);
      }
      const stored = server.storedFiles();
      clock += 1000;
      const capped = await upload(server, good, a.token);
      // The first refusal (at T0 + 1 s) leaves the window at T0 + 61 s: 57 s from now (T0 + 4 s).
      expect(capped.headers.get('retry-after')).toBe('57');
      const [status, code] = await codeOf(capped);
      expect([status, code]).toEqual([429, 'LPCV_E_RATE_LIMITED']);
      expect(server.storedFiles()).toEqual(stored);
      // Another team is not affected; the capped refusal itself does not extend the cap.
      expect((await upload(server, good, b.token)).status).toBe(201);
      clock = T0 + 1000 + WINDOW_MS + 1;
      expect((await upload(server, good, a.token)).status).toBe(201);
      expect(server.internalErrors).toEqual([]);
    } finally {
      await server.close();
    }
  });

  it('answers other requests while a huge hostile graph is being checked, then refuses it', async () => {
    const pool = new ModelCheckPool({ workers: 1 });
    const server = await startTestServer({ database, modelCheck: pool.check });
    try {
      const team = await createTeam(server.db, 'patient', T0);
      const order: string[] = [];
      const hostile = upload(server, identityChainModel(300_000), team.token).then(async (res) => {
        order.push('upload');
        return codeOf(res);
      });
      // Once the file is stored and its check has started in the pool:
      for (let i = 0; i < 2000 && pool.load.running === 0; i++) await new Promise((r) => setTimeout(r, 5));
      expect(pool.load.running).toBe(1);
      const board = await fetch(`${server.url}/api/leaderboard/fashion-mnist`, { headers: { authorization: `Bearer ${team.token}` } });
      order.push('leaderboard');
      expect(board.status).toBe(200);
      expect(await hostile).toEqual([422, 'LPCV_E_MODEL_TOO_COMPLEX']);
      expect(order).toEqual(['leaderboard', 'upload']);
      expect(server.internalErrors).toEqual([]);
    } finally {
      await server.close();
      await pool.close();
    }
  }, 60_000);
});
