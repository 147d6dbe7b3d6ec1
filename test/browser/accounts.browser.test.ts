/**
 * The account pages in Chromium without JavaScript (playwright-core, Debian's Chromium), against `lpcv serve`'s
 * server (no SMTP: the server writes each e-mail to its log, where the test reads the links, as an organizer
 * would relay them): sign up, verify, sign in, create a team, invite a second address, accept, see both
 * members, make an API token; the admin's teams page lists the team and disables it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type Browser, type Page } from 'playwright-core';
import { BROWSER_TESTS, launchChromium, SCREENSHOTS } from '../testing/chromium.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServe } from '../../cli/start-serve.js';
import type { RunningServer } from '../../server/serve/start-server.js';

const ADMIN = 'browser-admin-token-0123456789abcdefghijklmnop';
const PASSWORD = 'a long enough password';

describe.skipIf(!BROWSER_TESTS)('the account pages in Chromium without JavaScript', () => {
  let server: RunningServer;
  let browser: Browser;
  let dataDir: string;
  const logs: string[] = [];

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'lpcv-browser-accounts-'));
    server = await startServe({ port: 0, dataDir, localAgent: false, seedBaselines: false, log: (l) => logs.push(l), env: { LPCV_ADMIN_TOKEN: ADMIN } });
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  /** The path of the last link to `path` the server "mailed" (wrote to its log) to `to`. */
  function mailedLink(to: string, linkPath: string): string {
    const pattern = new RegExp(`https?://[^/\\s]+(${linkPath}\\?token=lpcv_link_[A-Za-z0-9_-]{43})`);
    const mail = logs.filter((l) => l.includes(`to ${to}:`) && pattern.test(l)).at(-1) ?? '';
    const m = pattern.exec(mail);
    if (m === null) throw new Error(`no ${linkPath} link for ${to} in the server log`);
    return m[1]!;
  }

  async function signUpAndIn(page: Page, email: string): Promise<void> {
    await page.goto(`${server.url}/account`);
    await page.getByLabel('E-mail', { exact: true }).last().fill(email);
    await page.getByLabel('Password (10 characters or more)').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign up' }).click();
    expect(await page.getByRole('status').first().textContent()).toContain('Account made');
    await page.goto(server.url + mailedLink(email, '/account/verify'));
    await page.getByRole('button', { name: 'Verify my address' }).click();
    expect(await page.getByRole('status').first().textContent()).toContain('Address verified');
    await page.locator('#in-email').fill(email);
    await page.locator('#in-password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    expect(await page.locator('#account-email').textContent()).toBe(email);
  }

  it('signs up, makes a team, invites and accepts, makes a token; the admin disables the team', async () => {
    const captainContext = await browser.newContext({ javaScriptEnabled: false });
    const memberContext = await browser.newContext({ javaScriptEnabled: false });
    const adminContext = await browser.newContext({ javaScriptEnabled: false });
    const captain = await captainContext.newPage();
    const member = await memberContext.newPage();
    const admin = await adminContext.newPage();
    try {
      await signUpAndIn(captain, 'captain@example.org');
      await captain.getByLabel('Team name').fill('Night Owls');
      await captain.getByRole('button', { name: 'Create the team' }).click();
      expect(await captain.getByRole('heading', { level: 2 }).first().textContent()).toBe('Team Night Owls');
      await captain.getByLabel('Invite by e-mail').fill('member@example.org');
      await captain.getByRole('button', { name: 'Send the invitation' }).click();
      expect(await captain.getByRole('status').first().textContent()).toContain('Invitation sent');

      await signUpAndIn(member, 'member@example.org');
      await member.goto(server.url + mailedLink('member@example.org', '/account/invitations/accept'));
      await member.getByRole('button', { name: 'Join the team' }).click();
      expect(await member.getByRole('status').first().textContent()).toContain('You joined the team');
      const rows = member.getByRole('table', { name: '2 members' }).locator('tbody tr');
      expect(await rows.count()).toBe(2);
      await member.getByRole('button', { name: 'Make an API token for lpcv submit' }).click();
      expect(await member.locator('#new-token').textContent()).toMatch(/^lpcv_team_[A-Za-z0-9_-]{43}$/);
      // The member's pages act for the team.
      expect(await member.locator('.who').textContent()).toContain('Night Owls');
      await member.screenshot({ path: path.join(SCREENSHOTS, '7-account.png'), fullPage: true });

      await admin.goto(`${server.url}/login`);
      await admin.getByLabel('Token').fill(ADMIN);
      await admin.getByRole('button', { name: 'Log in' }).click();
      await admin.goto(`${server.url}/admin/teams`);
      const row = admin.locator('#teams tbody tr', { hasText: 'Night Owls' });
      expect(await row.textContent()).toMatch(/captain@example\.org \(captain\), member@example\.org[\s\S]*active/);
      await admin.getByRole('button', { name: 'Disable Night Owls' }).click();
      expect(await admin.locator('#teams tbody tr', { hasText: 'Night Owls' }).textContent()).toContain('disabled');
      await admin.screenshot({ path: path.join(SCREENSHOTS, '8-admin-teams.png'), fullPage: true });
      await member.goto(`${server.url}/account`);
      expect(await member.locator('.who').textContent()).not.toContain('Night Owls');
      expect(await member.textContent('main')).toContain('The organizers disabled this team');
    } catch (e) {
      await captain.screenshot({ path: path.join(SCREENSHOTS, 'accounts-failure.png'), fullPage: true }).catch(() => {});
      throw new Error(`${String(e)}\nserver log:\n${logs.join('\n')}`);
    } finally {
      await captainContext.close();
      await memberContext.close();
      await adminContext.close();
    }
  }, 120_000);
});
