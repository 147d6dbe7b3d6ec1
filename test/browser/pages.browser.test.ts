/**
 * The pages in a real browser: Debian's Chromium driven by playwright-core (never a downloaded browser),
 * with JavaScript turned off, against `lpcv serve`'s server (SQLite, the in-process desktop agent) on an
 * ephemeral port. A participant opens the form, submits a baseline model with the team token, waits for
 * the status page to say done (the page reloads itself), and finds the entry and the plot on the
 * leaderboard. Screenshots are kept in test-output/browser/.
 *
 * Without Chromium the test is skipped with a warning, unless LPCV_REQUIRE_BROWSER=1 (.ci/run sets it).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser } from 'playwright-core';
import { BROWSER_TESTS, launchChromium, SCREENSHOTS } from '../testing/chromium.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTeam, type CreatedOwner } from '../../server/auth/index.js';
import { startServe } from '../../cli/start-serve.js';
import type { RunningServer } from '../../server/serve/start-server.js';
import type { Phase } from '../../harness/competitions/competition.js';
import { applyCompetition } from '../../server/competitions/apply-competition.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const MODEL = path.join(ROOT, 'baselines', 'fashion-mnist', 'linear.onnx');

describe.skipIf(!BROWSER_TESTS)('the pages in Chromium without JavaScript', () => {
  let server: RunningServer;
  let browser: Browser;
  let team: CreatedOwner;
  let dataDir: string;
  const logs: string[] = [];

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'lpcv-browser-'));
    server = await startServe({ port: 0, dataDir, localAgent: true, seedBaselines: false, agentPollMs: 200, log: (l) => logs.push(l), env: {} });
    team = await createTeam(server.db, 'Browser Team', Date.now());
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('submits a baseline through the form, follows it to done, and finds it with the plot on the leaderboard', async () => {
    // A fresh profile: playwright's contexts are incognito-like and start with no cookies.
    const context = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 1100, height: 900 } });
    const page = await context.newPage();
    try {
      await page.goto(`${server.url}/`);
      expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Tracks');
      await page.getByRole('link', { name: 'Submit', exact: true }).first().click();

      await page.getByLabel('Team token').fill(team.token);
      await page.getByLabel('Track').selectOption('fashion-mnist');
      await page.getByLabel('Description').fill('linear baseline, from the browser test');
      await page.getByLabel('Model file').setInputFiles(MODEL);
      await page.screenshot({ path: path.join(SCREENSHOTS, '1-submit.png'), fullPage: true });
      await page.getByRole('button', { name: 'Submit' }).click();

      await page.waitForURL(/\/submissions\/[A-Za-z0-9_-]{16}$/);
      const status = page.locator('#status');
      // The page reloads itself every few seconds (meta refresh, no script) until the run is over.
      await status.filter({ hasText: /Status: (done|failed)/ }).waitFor({ timeout: 180_000 });
      await page.screenshot({ path: path.join(SCREENSHOTS, '2-status.png'), fullPage: true });
      expect(await status.textContent()).toBe('Status: done');
      expect(await page.locator('#result').textContent()).toContain('top1');

      await page.getByRole('link', { name: 'See the leaderboard of fashion-mnist' }).click();
      await page.waitForURL(/\/leaderboard\/fashion-mnist$/);
      const row = page.locator('#leaderboard tbody tr');
      expect(await row.count()).toBe(1);
      expect(await row.first().textContent()).toContain('Browser Team');
      // linear.onnx on the hidden split: 6,567 of 8,000 correct, as PyTorch counted (baselines.json).
      expect(await row.first().textContent()).toContain('82.09%');
      const plot = page.getByRole('img', { name: 'Top-1 versus median latency' });
      expect(await plot.count()).toBe(1);
      expect(await page.locator('#plot svg circle.point').count()).toBe(1);
      await page.screenshot({ path: path.join(SCREENSHOTS, '3-leaderboard.png'), fullPage: true });
    } catch (e) {
      await page.screenshot({ path: path.join(SCREENSHOTS, 'failure.png'), fullPage: true }).catch(() => {});
      throw new Error(`${String(e)}\nserver log:\n${logs.join('\n')}`);
    } finally {
      await context.close();
    }
  }, 240_000);

  it('shows the form again with the error when the upload is larger than the track allows, storing nothing', async () => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    const count = async (): Promise<number> => Number(((await server.db('submissions').count({ n: '*' })) as Array<{ n: number | string }>)[0]!.n);
    const before = await count();
    try {
      await page.goto(`${server.url}/submit`);
      await page.getByLabel('Team token').fill(team.token);
      await page.getByLabel('Description').fill('far too big');
      // The sample track takes at most 20,000,000 bytes: the server stops reading there and refuses.
      await page.getByLabel('Model file').setInputFiles({ name: 'huge.onnx', mimeType: 'application/octet-stream', buffer: Buffer.alloc(24_000_000, 7) });
      const answer = page.waitForResponse((r) => r.url().endsWith('/submit') && r.request().method() === 'POST');
      await page.getByRole('button', { name: 'Submit' }).click();
      expect((await answer).status()).toBe(413);
      await page.getByRole('alert').waitFor();
      expect(await page.getByRole('alert').textContent()).toContain('LPCV_E_MODEL_TOO_LARGE');
      expect(await page.getByLabel('Description').inputValue()).toBe('far too big');
      await page.screenshot({ path: path.join(SCREENSHOTS, '4-too-large.png'), fullPage: true });
      expect(await count()).toBe(before);
    } finally {
      await context.close();
    }
  }, 120_000);

  it('lists the phases with what is open and the time left, and refuses an upload to a track whose phase has not opened', async () => {
    const now = Date.now();
    const phase = (name: string, tracks: string[], startAt: number, endAt: number): Phase => ({
      name,
      title: name === 'open' ? 'Open phase' : 'Later phase',
      tracks,
      startAt,
      endAt,
      board: 'private',
      boardVisible: true,
      reveal: 'manual',
      quota: { perDay: 5, total: 20, failed: null },
      rounds: [],
    });
    await applyCompetition(
      server.db,
      {
        name: 'browser-cup',
        title: 'Browser cup',
        tracks: ['fashion-mnist', 'fashion-det'],
        phases: [
          phase('open', ['fashion-mnist'], now - 3_600_000, now + 2 * 86_400_000 + 3 * 3_600_000 + 60_000),
          phase('later', ['fashion-det'], now + 5 * 3_600_000 + 30 * 60_000, now + 86_400_000 * 9),
        ],
        webhooks: [],
      },
      { now, actor: 'test' },
    );
    const context = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 1100, height: 900 } });
    const page = await context.newPage();
    try {
      await page.goto(`${server.url}/`);
      const table = page.getByRole('table', { name: '2 phases' });
      const rows = table.locator('tbody tr');
      expect(await rows.count()).toBe(2);
      expect(await rows.nth(0).textContent()).toMatch(/Open phase[\s\S]*open: closes in 2 d 3 h[\s\S]*5 a day, 20 in all per team and track/);
      expect(await rows.nth(1).textContent()).toMatch(/Later phase[\s\S]*opens in 5 h (29|30) min/);
      await page.screenshot({ path: path.join(SCREENSHOTS, '5-phases.png'), fullPage: true });

      await page.goto(`${server.url}/submit`);
      await page.getByLabel('Team token').fill(team.token);
      await page.getByLabel('Track').selectOption('fashion-det');
      await page.getByLabel('Model file').setInputFiles(MODEL);
      const answer = page.waitForResponse((r) => r.url().endsWith('/submit') && r.request().method() === 'POST');
      await page.getByRole('button', { name: 'Submit' }).click();
      expect((await answer).status()).toBe(403);
      await page.getByRole('alert').waitFor();
      expect(await page.getByRole('alert').textContent()).toMatch(/LPCV_E_PHASE_CLOSED[\s\S]*the next phase, later, opens at/);
      await page.screenshot({ path: path.join(SCREENSHOTS, '6-phase-closed.png'), fullPage: true });
    } finally {
      await context.close();
    }
  }, 120_000);
});
