/**
 * The account pages' routes (docs/accounts.md). Every POST form carries the form token, checked first. A
 * coded refusal shows the page again with the error and its status; success redirects (303) to /account
 * with a fixed notice, except a new API token, which is shown once on the answer itself.
 */
import express, { Router } from 'express';
import type { Request, Response } from 'express';
import { LpcvError } from '../../errors/lpcv-error.js';
import type { Registration } from '../../harness/competitions/competition.js';
import {
  acceptInvitation,
  invite,
  requestSignInLink,
  signInWithLink,
  signInWithPassword,
  signUp,
  verifyAddress,
  type AccountDeps,
} from '../accounts/account-flows.js';
import { endAccountSession, signedInAccount, startAccountSession } from '../accounts/account-session.js';
import type { Account } from '../accounts/accounts-table.js';
import { createTeamAsCaptain, issueMemberToken, leaveTeam, membersOf, membershipOf, removeMember, transferCaptaincy } from '../accounts/team-membership.js';
import { checkFormToken, CSRF_FIELD, type WebAuth } from '../web/web-auth.js';
import { accountPage, confirmLinkPage, signedOutPage, type Flash } from './account-pages.js';
import { pageContext, postedField, sendPage } from './page-kit.js';

export interface AccountRoutesDeps extends AccountDeps {
  readonly auth: WebAuth;
  /** The address links in e-mails point at (`lpcv serve --public-url`); default: the request's own host. */
  readonly publicUrl?: string;
}

/** The notices a redirect may name (never text from the request). */
const NOTICES: Readonly<Record<string, string>> = {
  'signed-up': 'Account made: open the link we e-mailed to verify your address, then sign in.',
  'link-sent': 'If that address has an account, a sign-in link is on its way.',
  verified: 'Address verified: sign in.',
  'team-created': 'Team created: you are its captain.',
  invited: 'Invitation sent.',
  joined: 'You joined the team.',
  removed: 'Member removed; their tokens no longer work.',
  'captain-changed': 'The captaincy was handed over.',
  left: 'You left the team; your tokens for it no longer work.',
  'signed-out': 'Signed out.',
};

export function accountRoutes(deps: AccountRoutesDeps): Router {
  const { auth } = deps;
  const router = Router();
  const form = express.urlencoded({ extended: false, limit: 16 * 1024, parameterLimit: 10 });
  const baseUrl = (req: Request): string => deps.publicUrl ?? `${req.protocol}://${req.headers.host ?? 'localhost'}`;
  const registration = async (): Promise<Registration> => deps.registration();

  async function show(req: Request, res: Response, status: number, f: Flash): Promise<void> {
    const account = await signedInAccount(auth, req);
    const ctx = await pageContext(auth, req, res);
    const mode = (await registration()).mode;
    if (account === null) return sendPage(res, status, signedOutPage(ctx, { mailSends: deps.mailer.sends, registration: mode, flash: f }));
    const team = await membershipOf(auth.db, account.id);
    const members = team === null ? [] : await membersOf(auth.db, team.teamId);
    sendPage(res, status, accountPage(ctx, { account, team, members, registration: mode, flash: f }));
  }

  /** A POST: the form token first, then `work`; a coded refusal shows the account page with the error. */
  const post =
    (work: (req: Request, res: Response) => Promise<string | void>) =>
    async (req: Request, res: Response): Promise<void> => {
      try {
        checkFormToken(auth, req, postedField(req, CSRF_FIELD));
        const notice = await work(req, res);
        if (typeof notice === 'string') res.redirect(303, `/account?notice=${notice}`);
      } catch (e) {
        if (!(e instanceof LpcvError)) throw e;
        await show(req, res, e.httpStatus, { error: { code: e.code, message: e.message } });
      }
    };
  const requireAccount = async (req: Request): Promise<Account> => {
    const account = await signedInAccount(auth, req);
    if (account === null) throw new LpcvError('LPCV_E_UNAUTHORIZED', 'sign in first');
    return account;
  };
  const field = (req: Request, name: string): string => postedField(req, name) ?? '';
  const accountField = (req: Request): number => {
    const n = Number(field(req, 'account'));
    if (!Number.isSafeInteger(n) || n <= 0) throw new LpcvError('LPCV_E_FORM_FIELD', 'the form names no member');
    return n;
  };

  router.get('/account', async (req, res) => {
    const notice = typeof req.query.notice === 'string' ? NOTICES[req.query.notice] : undefined;
    await show(req, res, 200, notice === undefined ? {} : { notice });
  });

  router.post(
    '/account/sign-up',
    form,
    post(async (req) => {
      await signUp(deps, { email: field(req, 'email'), password: field(req, 'password') }, baseUrl(req));
      return 'signed-up';
    }),
  );

  router.post(
    '/account/sign-in',
    form,
    post(async (req, res) => {
      startAccountSession(auth, res, await signInWithPassword(deps, { email: field(req, 'email'), password: field(req, 'password') }, baseUrl(req)));
      res.redirect(303, '/account');
    }),
  );

  router.post(
    '/account/sign-in/link',
    form,
    post(async (req) => {
      await requestSignInLink(deps, field(req, 'email'), baseUrl(req));
      return 'link-sent';
    }),
  );

  // The pages behind e-mailed links ask for one press: a GET uses nothing up.
  const confirm = (path: string, o: { title: string; button: string; text: string; action?: string }): void => {
    router.get(path, async (req, res) => {
      const token = typeof req.query.token === 'string' ? req.query.token : '';
      sendPage(res, 200, confirmLinkPage(await pageContext(auth, req, res), { ...o, action: o.action ?? path, token }));
    });
  };
  confirm('/account/verify', { title: 'Verify your address', button: 'Verify my address', text: 'Press the button to verify your e-mail address.' });
  confirm('/account/sign-in/link', {
    title: 'Sign in',
    button: 'Sign in',
    text: 'Press the button to sign in with this link.',
    action: '/account/sign-in/link/use',
  });
  confirm('/account/invitations/accept', {
    title: 'Join a team',
    button: 'Join the team',
    text: 'Sign in first with the address the invitation went to (or sign up with it), then press the button.',
  });

  router.post(
    '/account/verify',
    form,
    post(async (req) => {
      await verifyAddress(deps, field(req, 'token'));
      return 'verified';
    }),
  );
  router.post(
    '/account/sign-in/link/use',
    form,
    post(async (req, res) => {
      startAccountSession(auth, res, await signInWithLink(deps, field(req, 'token')));
      res.redirect(303, '/account');
    }),
  );
  router.post(
    '/account/invitations/accept',
    form,
    post(async (req) => {
      await acceptInvitation(deps, await requireAccount(req), field(req, 'token'));
      return 'joined';
    }),
  );

  router.post(
    '/account/sign-out',
    form,
    post(async (_req, res) => {
      endAccountSession(auth, res);
      return 'signed-out';
    }),
  );

  router.post(
    '/account/team',
    form,
    post(async (req) => {
      await createTeamAsCaptain(auth.db, await requireAccount(req), field(req, 'name').trim(), await registration(), deps.now());
      return 'team-created';
    }),
  );
  router.post(
    '/account/team/invite',
    form,
    post(async (req) => {
      await invite(deps, await requireAccount(req), field(req, 'email'), baseUrl(req));
      return 'invited';
    }),
  );
  router.post(
    '/account/team/remove',
    form,
    post(async (req) => {
      await removeMember(auth.db, await requireAccount(req), accountField(req), deps.now());
      return 'removed';
    }),
  );
  router.post(
    '/account/team/captain',
    form,
    post(async (req) => {
      await transferCaptaincy(auth.db, await requireAccount(req), accountField(req));
      return 'captain-changed';
    }),
  );
  router.post(
    '/account/team/leave',
    form,
    post(async (req) => {
      await leaveTeam(auth.db, await requireAccount(req), deps.now());
      return 'left';
    }),
  );
  router.post(
    '/account/tokens',
    form,
    post(async (req, res) => {
      const issued = await issueMemberToken(auth.db, await requireAccount(req), deps.now());
      await show(req, res, 201, { token: issued.token });
    }),
  );

  return router;
}
