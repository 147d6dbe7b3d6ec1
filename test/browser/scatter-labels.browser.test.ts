/**
 * The leaderboard's scatter in Chromium (JavaScript off) at a desktop width and at a phone's 375 px: twelve
 * entries close together in latency and accuracy, whose drawn labels must not overlap at either width, with the
 * legend visible. The results are stored as a device would (leased and completed jobs with chosen records), so no
 * model runs. Screenshots are kept in test-output/browser/.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServe } from '../../cli/start-serve.js';
import { createTeam } from '../../server/auth/index.js';
import { postSubmission } from '../../server/http/testing/api-server.js';
import { finishQueuedJobs, resultRecord } from '../../server/leaderboard/testing/results.js';
import { revealTrack } from '../../server/leaderboard/track-reveals.js';
import type { RunningServer } from '../../server/serve/start-server.js';
import type { ResultRecord } from '../../harness/result-record.js';
import { BROWSER_TESTS, launchChromium, SCREENSHOTS } from '../testing/chromium.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const MODEL = readFileSync(path.join(ROOT, 'baselines', 'fashion-mnist', 'linear.onnx'));

type Rect = { x: number; y: number; width: number; height: number };
const intersect = (a: Rect, b: Rect): boolean => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

describe.skipIf(!BROWSER_TESTS)('the leaderboard scatter in Chromium at 1100 and 375 px', () => {
  let server: RunningServer;
  let browser: Browser;
  let dataDir: string;

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'lpcv-scatter-'));
    server = await startServe({ port: 0, dataDir, localAgent: false, seedBaselines: false, log: () => {}, env: {} });
    const now = Date.now();
    const chosen = new Map<string, ResultRecord>();
    for (let i = 0; i < 12; i++) {
      const team = await createTeam(server.db, `Close team ${i + 1}`, now);
      const res = await postSubmission(
        server,
        [
          { name: 'track', value: 'fashion-mnist' },
          { name: 'file', value: MODEL, filename: 'model.onnx' },
        ],
        team.token,
      );
      expect(res.status).toBe(201);
      const { id } = (await res.json()) as { id: string };
      const p50 = 0.2 + 0.006 * ((i * 7) % 12);
      chosen.set(id, resultRecord('fashion-mnist', 'test', { top1: 0.9 - 0.002 * ((i * 5) % 12), p50, score: 1000 - i }));
    }
    // Leased after the last upload's job is due (the server runs on the real clock; 12 uploads on a loaded
    // machine can take longer than any fixed allowance from \`now\`).
    const leaseAt = Date.now() + 1000;
    expect(await finishQueuedJobs(server.db, chosen, leaseAt)).toBe(12);
    await revealTrack(server.db, 'fashion-mnist', 'test', leaseAt + 1000);
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  for (const width of [1100, 375]) {
    it(`draws labels that do not intersect, and a visible legend, at ${width} px`, async () => {
      const context = await browser.newContext({ javaScriptEnabled: false, viewport: { width, height: 900 } });
      const page = await context.newPage();
      try {
        await page.goto(`${server.url}/leaderboard/fashion-mnist`);
        expect(await page.locator('#plot svg circle.point').count()).toBe(12);
        const svg = await page.locator('#plot > svg').boundingBox();
        expect(svg!.width).toBeLessThanOrEqual(width);
        const labels = page.locator('#plot svg text.label');
        const count = await labels.count();
        expect(count).toBeGreaterThan(1);
        const boxes: Rect[] = [];
        for (let i = 0; i < count; i++) boxes.push((await labels.nth(i).boundingBox())!);
        for (const [i, a] of boxes.entries()) {
          for (const b of boxes.slice(i + 1)) expect(intersect(a, b), JSON.stringify([a, b])).toBe(false);
          expect(a.height).toBeGreaterThanOrEqual(9); // legible: about 10 px text or more
        }
        expect(await labels.first().textContent()).toBe('Close team 1');
        const legend = page.getByRole('list', { name: 'Legend' });
        expect(await legend.isVisible()).toBe(true);
        expect(await legend.textContent()).toContain('on the Pareto front');
        const plot = page.getByRole('img', { name: 'Top-1 versus median latency' });
        expect(await plot.count()).toBe(1);
        await page.screenshot({ path: path.join(SCREENSHOTS, `scatter-${width}.png`), fullPage: true });
      } finally {
        await context.close();
      }
    }, 60_000);
  }
});
