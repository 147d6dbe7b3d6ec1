/**
 * Accounts and teams with members over real HTTP, on SQLite and PostgreSQL, with e-mail through a real SMTP
 * server started here (smtp-server on 127.0.0.1): sign up, the verification link, sign in with a password and
 * with an e-mailed link, a team and its captain, an invitation accepted by the invited address only, a
 * member's own API token that submits and stops working when the member is removed, leaving, and the
 * organizer's approval and disabling of teams.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveTrack } from '../../harness/tracks/load-track.js';
import { fixtureBytes } from '../../test/testing/onnx-fixtures.js';
import { applyCompetition } from '../competitions/apply-competition.js';
import { postgresTestDatabase, sqliteTestDatabase } from '../db/testing/databases.js';
import { useTestDatabase } from '../db/testing/suite-hooks.js';
import { postSubmission } from '../http/testing/api-server.js';
import { call, startTestServer, TEST_ADMIN_TOKEN, type TestServer } from '../http/testing/test-server.js';
import { mailerFor } from '../notify/mailer.js';
import { startSmtp } from '../notify/testing/smtp-server.js';
import { TestBrowser } from './testing/browser.js';

const PASSWORD = 'correct horse battery';

for (const database of [sqliteTestDatabase(), postgresTestDatabase()])
  describe(`accounts and teams over HTTP on ${database.name}`, () => {
    let server: TestServer;
    let smtp: Awaited<ReturnType<typeof startSmtp>>;
    beforeAll(async () => void (smtp = await startSmtp()));
    afterAll(async () => smtp?.close());
    useTestDatabase(database, {
      setUp: async () =>
        void (server = await startTestServer({
          database,
          tracks: [resolveTrack('fashion-mnist')],
          admin: true,
          mailer: mailerFor(`smtp://127.0.0.1:${smtp.port}`, 'LPCV test <lpcv@test.invalid>', () => {}),
        })),
      tearDown: async () => server?.close(),
    });

    /** The link of the last mail to `to` whose path is `path`. */
    function linkTo(to: string, path: string): string {
      const mail = smtp.mails.filter((m) => m.to === to).at(-1);
      const m = mail === undefined ? null : new RegExp(`https?://[^/\\s]+(${path.replace(/\//g, '\\/')}\\?token=lpcv_link_[A-Za-z0-9_-]{43})`).exec(mail.text);
      if (m === null) throw new Error(`no ${path} link mailed to ${to}: ${JSON.stringify(smtp.mails.map((x) => x.to))}`);
      return m[1]!;
    }
    /** Follows a mailed link: its page, then its one button. */
    async function follow(browser: TestBrowser, link: string): Promise<Awaited<ReturnType<TestBrowser['post']>>> {
      const page = await browser.get(link);
      expect(page.status).toBe(200);
      const action = /<form method="post" action="([^"]+)">/.exec(page.body)![1]!;
      const token = /name="token" value="([^"]+)"/.exec(page.body)![1]!;
      return browser.post(action, { _csrf: TestBrowser.formToken(page), token });
    }
    async function postForm(browser: TestBrowser, action: string, fields: Record<string, string>): Promise<Awaited<ReturnType<TestBrowser['post']>>> {
      const page = await browser.get('/account');
      return browser.post(action, { ...fields, _csrf: TestBrowser.formToken(page) });
    }
    async function signedUp(email: string): Promise<TestBrowser> {
      const browser = new TestBrowser(server.url);
      expect((await postForm(browser, '/account/sign-up', { email, password: PASSWORD })).location).toBe('/account?notice=signed-up');
      expect((await follow(browser, linkTo(email, '/account/verify'))).location).toBe('/account?notice=verified');
      expect((await postForm(browser, '/account/sign-in', { email, password: PASSWORD })).location).toBe('/account');
      return browser;
    }
    const upload = (token: string): Promise<Response> =>
      postSubmission(
        server,
        [
          { name: 'track', value: 'fashion-mnist' },
          { name: 'file', value: fixtureBytes('tiny-conv.onnx'), filename: 'model.onnx' },
        ],
        token,
      );

    it('signs up, verifies by the mailed link, refuses a wrong password and a second account for the address in any case', async () => {
      const browser = new TestBrowser(server.url);
      await postForm(browser, '/account/sign-up', { email: 'Ada@Example.org', password: PASSWORD });
      expect(smtp.mails.at(-1)!.to).toBe('ada@example.org');
      // Before verification: signing in sends a new link instead.
      const early = await postForm(browser, '/account/sign-in', { email: 'ada@example.org', password: PASSWORD });
      expect(early.status).toBe(403);
      expect(early.body).toContain('LPCV_E_EMAIL_UNVERIFIED');
      const link = linkTo('ada@example.org', '/account/verify');
      // Opening the link's page uses nothing up; its button does, once.
      await browser.get(link);
      expect((await follow(browser, link)).location).toBe('/account?notice=verified');
      expect((await follow(browser, link)).body).toContain('LPCV_E_LINK_INVALID');

      const wrong = await postForm(browser, '/account/sign-in', { email: 'ada@example.org', password: 'not the password' });
      const unknown = await postForm(browser, '/account/sign-in', { email: 'nobody@example.org', password: PASSWORD });
      expect([wrong.status, unknown.status]).toEqual([401, 401]);
      // One message whatever is wrong.
      expect(/<p><code>LPCV_E_SIGN_IN_FAILED<\/code>: ([^<]+)<\/p>/.exec(wrong.body)![1]).toBe(
        /<p><code>LPCV_E_SIGN_IN_FAILED<\/code>: ([^<]+)<\/p>/.exec(unknown.body)![1],
      );
      expect((await postForm(browser, '/account/sign-up', { email: 'ADA@example.ORG', password: PASSWORD })).body).toContain('LPCV_E_EMAIL_TAKEN');
      expect((await postForm(browser, '/account/sign-up', { email: 'grace@example.org', password: 'short' })).body).toContain('LPCV_E_PASSWORD_WEAK');

      expect((await postForm(browser, '/account/sign-in', { email: 'ada@example.org', password: PASSWORD })).location).toBe('/account');
      expect((await browser.get('/account')).body).toContain('Signed in as <strong id="account-email">ada@example.org</strong>');
    });

    it('signs in by an e-mailed link, and says the same for an address without an account', async () => {
      await signedUp('linked@example.org');
      const browser = new TestBrowser(server.url);
      const sentBefore = smtp.mails.length;
      expect((await postForm(browser, '/account/sign-in/link', { email: 'nobody-here@example.org' })).location).toBe('/account?notice=link-sent');
      expect(smtp.mails.length).toBe(sentBefore);
      expect((await postForm(browser, '/account/sign-in/link', { email: 'linked@example.org' })).location).toBe('/account?notice=link-sent');
      expect((await follow(browser, linkTo('linked@example.org', '/account/sign-in/link'))).location).toBe('/account');
      expect((await browser.get('/account')).body).toContain('linked@example.org');
    });

    it('a captain invites; only the invited address joins; a member token submits until the member is removed', async () => {
      const captain = await signedUp('cap@example.org');
      expect((await postForm(captain, '/account/team', { name: 'Owls' })).location).toBe('/account?notice=team-created');
      expect((await postForm(captain, '/account/team/invite', { email: 'mem@example.org' })).location).toBe('/account?notice=invited');
      const invitation = linkTo('mem@example.org', '/account/invitations/accept');

      const stranger = await signedUp('stranger@example.org');
      const refused = await follow(stranger, invitation);
      expect(refused.body).toContain('this invitation is for mem@example.org');
      const member = await signedUp('mem@example.org');
      expect((await follow(member, invitation)).location).toBe('/account?notice=joined');
      const page = (await captain.get('/account')).body;
      expect(page).toMatch(/<th scope="row">cap@example.org<\/th><td>captain/);
      expect(page).toMatch(/<th scope="row">mem@example.org<\/th><td>member/);
      // The member's session stands for the team on the pages.
      expect((await member.get('/submit')).body).toContain('Team <strong>Owls</strong>');

      const made = await postForm(member, '/account/tokens', {});
      expect(made.status).toBe(201);
      const token = /<pre class="log" id="new-token">(lpcv_team_[A-Za-z0-9_-]{43})<\/pre>/.exec(made.body)![1]!;
      expect((await upload(token)).status).toBe(201);

      const memberId = /name="account" value="(\d+)"><button type="submit" class="link">Remove mem@example.org/.exec((await captain.get('/account')).body)![1]!;
      expect((await postForm(captain, '/account/team/remove', { account: memberId })).location).toBe('/account?notice=removed');
      expect((await upload(token)).status).toBe(401);
      expect((await member.get('/account')).body).toContain('You are in no team');
      // The captain leaves last: with nobody else left it may.
      expect((await postForm(captain, '/account/team/leave', {})).location).toBe('/account?notice=left');
    });

    it('under registration "approval" a new team waits for an organizer; a disabled team is refused', async () => {
      const now = server.now();
      await applyCompetition(
        server.db,
        { name: 'cup', title: 'Cup', tracks: ['fashion-mnist'], phases: [], webhooks: [], registration: { mode: 'approval', allowedDomains: ['example.org'] } },
        { now, actor: 'test' },
      );
      const browser = new TestBrowser(server.url);
      expect((await postForm(browser, '/account/sign-up', { email: 'x@elsewhere.net', password: PASSWORD })).body).toContain(
        'takes addresses at example.org only',
      );
      const captain = await signedUp('waiting@sub.example.org');
      await postForm(captain, '/account/team', { name: 'Waiters' });
      expect((await captain.get('/account')).body).toContain("waits for the organizers' approval");
      const made = await postForm(captain, '/account/tokens', {});
      const token = /id="new-token">(lpcv_team_[^<]+)</.exec(made.body)![1]!;
      const pending = await upload(token);
      expect(pending.status).toBe(403);
      expect(((await pending.json()) as { error: { code: string } }).error.code).toBe('LPCV_E_TEAM_PENDING');

      const teams = (await (await call(server, 'GET', '/api/admin/teams', TEST_ADMIN_TOKEN)).json()) as {
        teams: Array<{ id: number; name: string; approvedAt: string | null; members: unknown[] }>;
      };
      const waiters = teams.teams.find((t) => t.name === 'Waiters')!;
      expect(waiters).toMatchObject({ approvedAt: null, members: [{ email: 'waiting@sub.example.org', role: 'captain' }] });
      expect(((await (await call(server, 'POST', `/api/admin/teams/${waiters.id}/approve`, TEST_ADMIN_TOKEN)).json()) as { changed: boolean }).changed).toBe(
        true,
      );
      expect((await upload(token)).status).toBe(201);
      await call(server, 'POST', `/api/admin/teams/${waiters.id}/disable`, TEST_ADMIN_TOKEN);
      expect((await upload(token)).status).toBe(401);
      expect((await captain.get('/submit')).body).not.toContain('Team <strong>Waiters</strong>');
      await call(server, 'POST', `/api/admin/teams/${waiters.id}/enable`, TEST_ADMIN_TOKEN);
      expect((await upload(token)).status).toBe(201);
      expect(server.internalErrors).toEqual([]);
    });
  });
