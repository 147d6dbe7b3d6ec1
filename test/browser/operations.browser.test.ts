/**
 * The pages of a running competition in Chromium without JavaScript, against `lpcv serve`'s server with a
 * track that ranks selected entries and publishes its failures: a team reads why its submission failed (the
 * package's stderr tail, the state log), everyone sees the public failures list, the team selects its done
 * submission as its entry, the leaderboard sorts by a column through its header link, and an admin re-runs
 * the failed submission from the operations page and reads the notifications' delivery log. The "device" is this test speaking the agent API over HTTP.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type Browser, type Page } from 'playwright-core';
import { BROWSER_TESTS, launchChromium, SCREENSHOTS } from '../testing/chromium.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServe } from '../../cli/start-serve.js';
import { loadLabels } from '../../harness/datasets/open-split.js';
import { resolveTrack } from '../../harness/tracks/load-track.js';
import type { Track } from '../../harness/tracks/track.js';
import { parseLeaseAnswer } from '../../harness/wire/index.js';
import { createAgent, createTeam, type CreatedOwner } from '../../server/auth/index.js';
import { call } from '../../server/http/testing/test-server.js';
import { fakeCompletion } from '../../server/http/testing/fake-completion.js';
import { enqueueWebhookEvent } from '../../server/notify/index.js';
import type { RunningServer } from '../../server/serve/start-server.js';
import { fixtureBytes } from '../testing/onnx-fixtures.js';

const ADMIN = 'browser-admin-token-0123456789abcdefghijklmnop';

describe.skipIf(!BROWSER_TESTS)('the competition pages in Chromium without JavaScript', () => {
  let server: RunningServer;
  let browser: Browser;
  let dataDir: string;
  let team: CreatedOwner;
  let agentToken: string;
  let deviceId: number;
  const base = resolveTrack('fashion-mnist');
  const track: Track = { ...base, leaderboard: { entry: 'selected' }, participants: { logs: true, publicFailures: true } };

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'lpcv-browser-ops-'));
    server = await startServe({
      port: 0,
      dataDir,
      localAgent: false,
      seedBaselines: false,
      log: () => {},
      env: { LPCV_ADMIN_TOKEN: ADMIN },
      tracks: new Map([[track.name, track]]),
    });
    team = await createTeam(server.db, 'Page Team', Date.now());
    agentToken = (await createAgent(server.db, 'page-agent', Date.now())).token;
    deviceId = (
      (await (await call(server, 'POST', '/api/agent/devices', agentToken, { name: 'desk', kind: 'desktop', capabilities: { threads: 1 } })).json()) as {
        deviceId: number;
      }
    ).deviceId;
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  async function submit(): Promise<string> {
    const form = new FormData();
    form.append('track', track.name);
    form.append('file', new Blob([fixtureBytes('tiny-conv.onnx')]), 'tiny-conv.onnx');
    const res = await fetch(`${server.url}/api/submissions`, { method: 'POST', body: form, headers: { authorization: `Bearer ${team.token}` } });
    expect(res.status).toBe(201);
    return ((await res.json()) as { id: string }).id;
  }
  async function lease(): Promise<{ id: number; leaseToken: string }> {
    const answer = parseLeaseAnswer(await (await call(server, 'POST', '/api/agent/lease', agentToken, { deviceId })).json());
    return { id: answer.job.id, leaseToken: answer.job.leaseToken };
  }
  async function loggedIn(page: Page, token: string): Promise<void> {
    await page.goto(`${server.url}/login`);
    await page.getByLabel('Token').fill(token);
    await page.getByRole('button', { name: 'Log in' }).click();
  }

  it('shows a failure with its output, lists it publicly, selects an entry, sorts the board, and re-runs from the operations page', async () => {
    const teamContext = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 1100, height: 900 } });
    const adminContext = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 1100, height: 900 } });
    const page = await teamContext.newPage();
    const admin = await adminContext.newPage();
    try {
      const failed = await submit();
      const job = await lease();
      const fail = await call(server, 'POST', `/api/agent/jobs/${job.id}/fail`, agentToken, {
        leaseToken: job.leaseToken,
        fault: 'submission',
        code: 'LPCV_E_SOLUTION_EXIT',
        message: 'the package exited with status 3',
        logs: { stderr: { text: 'Traceback: model weights are corrupt\n', truncated: false } },
      });
      expect(fail.status).toBe(200);

      await loggedIn(page, team.token);
      await page.goto(`${server.url}/submissions/${failed}`);
      expect(await page.locator('#status').textContent()).toBe('Status: failed');
      expect(await page.getByRole('region', { name: 'Output' }).textContent()).toContain('model weights are corrupt');
      await page.screenshot({ path: path.join(SCREENSHOTS, '9-failure-output.png'), fullPage: true });

      const anonymous = await browser.newContext({ javaScriptEnabled: false });
      const publicPage = await anonymous.newPage();
      await publicPage.goto(`${server.url}/tracks/${track.name}/failures`);
      const failures = publicPage.locator('table tbody tr');
      expect(await failures.count()).toBe(1);
      expect(await failures.first().textContent()).toMatch(/Page Team[\s\S]*LPCV_E_SOLUTION_EXIT/);
      expect(await publicPage.textContent('main')).not.toContain('weights are corrupt');
      await anonymous.close();

      const done = await submit();
      const second = await lease();
      const ids = (await loadLabels(track, 'test')).ids;
      const completion = fakeCompletion(second.leaseToken, ids, (i) => i % 10);
      expect((await call(server, 'POST', `/api/agent/jobs/${second.id}/complete`, agentToken, completion)).status).toBe(200);
      await page.goto(`${server.url}/submissions/${done}`);
      await page.getByRole('button', { name: 'Select as our entry' }).click();
      await page.waitForURL(new RegExp(`/submissions/${done}$`));
      expect(await page.locator('#entry-selection').textContent()).toContain("This submission is your team's entry");

      await page.goto(`${server.url}/leaderboard/${track.name}`);
      await page.screenshot({ path: path.join(SCREENSHOTS, '11-board.png'), fullPage: true });
      // Its score is null (the track's formula needs a paired reference run): it stands among the disqualified, selected.
      expect(await page.locator('#disqualified tbody tr').first().textContent()).toMatch(/Page Team[\s\S]*selected/);
      await page.locator('#latency-column a').click();
      expect(page.url()).toContain('sort=latency');
      expect(await page.locator('#latency-column').getAttribute('aria-sort')).toBe('ascending');

      await loggedIn(admin, ADMIN);
      await admin.goto(`${server.url}/admin/operations`);
      await admin.getByLabel('Submission id').fill(failed);
      await admin.locator('#submission-reason').fill('device fixed');
      await admin.getByRole('button', { name: 'Re-run the submission' }).click();
      expect(await admin.locator('table tbody tr').first().textContent()).toMatch(/rerun[\s\S]*1 job\(s\) re-queued[\s\S]*device fixed/);
      await admin.screenshot({ path: path.join(SCREENSHOTS, '10-operations.png'), fullPage: true });
      await page.goto(`${server.url}/submissions/${failed}?refresh=off`);
      expect(await page.locator('#status').textContent()).toBe('Status: queued');

      // The delivery log: a delivery in the outbox (this server has no subscriber, so nothing sends it).
      const event = { id: `submission.done:${done}:1`, name: 'submission.done' as const, at: Date.now(), data: { submissionId: done } };
      await enqueueWebhookEvent(server.db, [{ url: 'https://hooks.example.org/lpcv', secret: 'unused', events: ['submission.done'] }], event, Date.now());
      await admin.goto(`${server.url}/admin/notifications`);
      expect(await admin.locator('#deliveries tbody tr').first().textContent()).toMatch(
        /submission\.done[\s\S]*https:\/\/hooks\.example\.org\/lpcv[\s\S]*queued[\s\S]*0 of 10/,
      );
      expect(await page.goto(`${server.url}/admin/notifications`).then((r) => r?.status())).toBe(403);
    } finally {
      await teamContext.close();
      await adminContext.close();
    }
  }, 120_000);
});
