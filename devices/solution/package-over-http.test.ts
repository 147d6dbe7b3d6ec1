/**
 * A solution package from upload to score: a real zipapp sent to POST /api/submissions on a track that takes
 * packages, checked at intake, leased by an agent whose desktop device declared the format, run in the
 * bubblewrap sandbox, scored against the hidden labels. And an unsafe package refused at intake with nothing
 * stored. Real HTTP, a real SQLite file, real images, a real sandbox.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sqliteTestDatabase } from '../../server/db/testing/databases.js';
import { useTestDatabase } from '../../server/db/testing/suite-hooks.js';
import { startAgentTestApi, type AgentTestApi } from '../../server/http/testing/agent-api-server.js';
import { TestBrowser } from '../../server/pages/testing/browser.js';
import { writePng } from '../../test/testing/write-images.js';
import { zipBytes } from '../../test/testing/zip-bytes.js';
import { submitAndMeasure } from '../agent/testing/submit-and-measure.js';
import { buildFixturePackage } from './testing/build-package.js';
import { SKIP_BWRAP } from './testing/sandbox-probes.js';
import { writeSolutionTrack } from './testing/solution-tracks.js';
import { SolutionTarget } from './solution-target.js';

const scratch = mkdtempSync(path.join(os.tmpdir(), 'lpcv-package-http-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** Four 8x8 images the fixture package classifies by brightness and colour: dark, light, colour, dark. */
async function writeDataset(dir: string): Promise<void> {
  const fill = (rgb: [number, number, number]): Uint8Array => {
    const px = new Uint8Array(8 * 8 * 3);
    for (let i = 0; i < px.length; i += 3) px.set(rgb, i);
    return px;
  };
  await writePng(path.join(dir, 'images', 'a.png'), 8, 8, 3, fill([10, 10, 10]));
  await writePng(path.join(dir, 'images', 'b.png'), 8, 8, 3, fill([240, 240, 240]));
  await writePng(path.join(dir, 'images', 'c.png'), 8, 8, 3, fill([200, 30, 30]));
  await writePng(path.join(dir, 'images', 'd.png'), 8, 8, 3, fill([20, 20, 20]));
  // d.png is labelled light: the package gets 3 of 4 right.
  writeFileSync(path.join(dir, 'labels.csv'), 'file,label\na.png,dark\nb.png,light\nc.png,colour\nd.png,light\n');
}

async function upload(api: AgentTestApi, bytes: Uint8Array, name: string): Promise<Response> {
  const form = new FormData();
  form.append('track', api.track.name);
  form.append('file', new Blob([bytes]), name);
  return fetch(`${api.url}/api/submissions`, { method: 'POST', body: form, headers: { authorization: `Bearer ${api.team.token}` } });
}

describe.skipIf(SKIP_BWRAP)('a solution package over HTTP', () => {
  const database = sqliteTestDatabase();
  let api: AgentTestApi;
  useTestDatabase(database, {
    async setUp() {
      const trackDir = mkdtempSync(path.join(scratch, 'track-'));
      await writeDataset(trackDir);
      const track = await writeSolutionTrack(trackDir, 'classification', { target: { sandbox: { memoryMb: 512, maxProcesses: 24, tmpMb: 16 } } });
      api = await startAgentTestApi(database, 'package', track);
    },
    tearDown: async () => api?.close(),
  });

  it('is accepted, leased to a device that runs packages, run in the sandbox and scored', async () => {
    const pyz = await buildFixturePackage('good_classify', mkdtempSync(path.join(scratch, 'pkg-')));
    const body = await submitAndMeasure(
      api,
      { bytes: readFileSync(pyz), name: 'solution.pyz' },
      new SolutionTarget({ name: 'desk-packages' }),
      path.join(scratch, 'agent-cache'),
    );
    expect(body.httpStatus, body.log).toBe(201);
    expect(body.status, `${JSON.stringify(body.error)}\nagent log:\n${body.log}`).toBe('done');
    expect(body.result?.accuracy).toMatchObject({ top1: 0.75 });
    expect(body.result?.score?.value).toBeGreaterThan(0);
    expect(api.internalErrors).toEqual([]);
  }, 120_000);

  it("shows a failing package's stderr to its team, through the agent, on the API and the status page", async () => {
    const pyz = await buildFixturePackage('exit_nonzero', mkdtempSync(path.join(scratch, 'pkg-')));
    const body = await submitAndMeasure(
      api,
      { bytes: readFileSync(pyz), name: 'solution.pyz' },
      new SolutionTarget({ name: 'desk-packages' }),
      path.join(scratch, 'agent-cache'),
    );
    expect(body.status, body.log).toBe('failed');
    expect(body.error?.code).toBe('LPCV_E_SOLUTION_EXIT');
    expect(body.logs).toEqual([
      {
        attempt: 1,
        at: expect.any(Number) as number,
        stdout: { text: '', truncated: false },
        stderr: { text: 'model weights are corrupt\n', truncated: false },
      },
    ]);
    const browser = new TestBrowser(api.url);
    const login = await browser.post('/login', { _csrf: TestBrowser.formToken(await browser.get('/login')), token: api.team.token, next: '/' });
    expect(login.status).toBe(303);
    const page = await browser.get(`/submissions/${body.id}`);
    expect(page.body).toContain('<h4>Standard error</h4>');
    expect(page.body).toContain('model weights are corrupt');
  }, 120_000);

  it('refuses an unsafe package at intake with LPCV_E_PACKAGE_INVALID, storing nothing', async () => {
    const before = api.storedFiles();
    const evil = zipBytes([
      { name: '__main__.py', data: 'print(1)' },
      { name: '../outside.py', data: 'x' },
    ]);
    const res = await upload(api, evil, 'evil.pyz');
    expect(res.status).toBe(422);
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('LPCV_E_PACKAGE_INVALID');
    expect(body.error.message).toContain('evil.pyz: entry "../outside.py": a ".." segment');
    expect(api.storedFiles()).toEqual(before);
  });
});
