/**
 * What the account pages do (docs/accounts.md), apart from HTTP: sign up, verify, sign in with a password
 * or an e-mailed link, invite and accept. Links point at `baseUrl` (the server's public address) and are
 * sent through the mailer (or written to the server's log when no SMTP is configured).
 */
import type { Registration } from '../../harness/competitions/competition.js';
import { LpcvError } from '../../errors/lpcv-error.js';
import type { Db } from '../db/index.js';
import type { Mailer } from '../notify/mailer.js';
import { consumeLink, issueLink, LINK_TTL_MS, peekLink } from './account-links.js';
import { accountByEmail, accountById, insertAccount, markVerified, type Account } from './accounts-table.js';
import { hashPassword, verifyPassword } from './passwords.js';
import { checkRegistrationOpen, normalizeEmail } from './registration-policy.js';
import { joinTeam, membershipOf, requireCaptain } from './team-membership.js';

export interface AccountDeps {
  readonly db: Db;
  readonly mailer: Mailer;
  readonly now: () => number;
  /** The competition's registration rules (open when no competition was applied). */
  readonly registration: () => Promise<Registration>;
}

const hours = (ms: number): string => (ms >= 86_400_000 ? `${ms / 86_400_000} days` : `${ms / 60_000} minutes`);

async function sendVerification(d: AccountDeps, account: Account, baseUrl: string): Promise<void> {
  const token = await issueLink(d.db, { purpose: 'verify', email: account.email, accountId: account.id }, d.now());
  await d.mailer.send({
    to: account.email,
    subject: 'Verify your address for the LPCV benchmark',
    text: `Open this link to verify ${account.email} (it works once, for ${hours(LINK_TTL_MS.verify)}):\n\n${baseUrl}/account/verify?token=${token}\n`,
  });
}

/** A new account (unverified) and its verification e-mail. */
export async function signUp(d: AccountDeps, form: { email: string; password: string }, baseUrl: string): Promise<Account> {
  const registration = await d.registration();
  checkRegistrationOpen(registration, 'accounts');
  const email = normalizeEmail(form.email, registration);
  const account = await insertAccount(d.db, email, await hashPassword(form.password), d.now());
  await sendVerification(d, account, baseUrl);
  return account;
}

/** Follows a verification link: the account's address is verified. */
export async function verifyAddress(d: AccountDeps, token: string): Promise<Account> {
  const link = await consumeLink(d.db, token, 'verify', d.now());
  await markVerified(d.db, link.accountId!, d.now());
  return (await accountById(d.db, link.accountId!))!;
}

const signInFailed = (): LpcvError => new LpcvError('LPCV_E_SIGN_IN_FAILED', 'the e-mail address or the password is wrong');

/**
 * Signs in with a password. One refusal whatever is wrong (no such account, wrong password, disabled), and
 * the password is hashed even for an unknown address, so that neither the answer nor its time tells which
 * addresses have accounts. An unverified account is sent a new link.
 */
export async function signInWithPassword(d: AccountDeps, form: { email: string; password: string }, baseUrl: string): Promise<Account> {
  let email: string;
  try {
    email = normalizeEmail(form.email);
  } catch {
    throw signInFailed();
  }
  const account = await accountByEmail(d.db, email);
  const ok = await verifyPassword(form.password, account?.passwordHash ?? (await dummyHash()));
  if (account === null || !ok || account.disabledAt !== null) throw signInFailed();
  if (account.verifiedAt === null) {
    await sendVerification(d, account, baseUrl);
    throw new LpcvError('LPCV_E_EMAIL_UNVERIFIED', `verify ${account.email} first: a new link is on its way`);
  }
  return account;
}

/** Made once, at the first sign-in: an unknown address then costs a check as long as a known one's. */
let dummy: Promise<string> | undefined;
const dummyHash = (): Promise<string> => (dummy ??= hashPassword('not-a-password-of-anyone'));

/**
 * E-mails a sign-in link when the address has an enabled account; answers the same either way (whether an
 * address has an account is nobody's business).
 */
export async function requestSignInLink(d: AccountDeps, emailText: string, baseUrl: string): Promise<void> {
  let email: string;
  try {
    email = normalizeEmail(emailText);
  } catch {
    return;
  }
  const account = await accountByEmail(d.db, email);
  if (account === null || account.disabledAt !== null) return;
  const token = await issueLink(d.db, { purpose: 'sign-in', email, accountId: account.id }, d.now());
  await d.mailer.send({
    to: email,
    subject: 'Your sign-in link for the LPCV benchmark',
    text: `Open this link to sign in (it works once, for ${hours(LINK_TTL_MS['sign-in'])}):\n\n${baseUrl}/account/sign-in/link?token=${token}\n\nIf you did not ask for it, ignore this message.\n`,
  });
}

/** Follows a sign-in link: the account (its address is verified by it). */
export async function signInWithLink(d: AccountDeps, token: string): Promise<Account> {
  const link = await consumeLink(d.db, token, 'sign-in', d.now());
  const account = await accountById(d.db, link.accountId!);
  if (account === null || account.disabledAt !== null) throw signInFailed();
  await markVerified(d.db, account.id, d.now());
  return (await accountById(d.db, account.id))!;
}

/** The captain invites an address to its team: a link by e-mail. */
export async function invite(d: AccountDeps, captain: Account, emailText: string, baseUrl: string): Promise<void> {
  const team = await requireCaptain(d.db, captain);
  const email = normalizeEmail(emailText, await d.registration());
  const token = await issueLink(d.db, { purpose: 'invite', email, teamId: team.teamId }, d.now());
  await d.mailer.send({
    to: email,
    subject: `${captain.email} invites you to team ${team.teamName} (LPCV benchmark)`,
    text: `${captain.email} invites you to join team ${team.teamName}. Sign up or sign in with this address, then open this link (it works once, for ${hours(LINK_TTL_MS.invite)}):\n\n${baseUrl}/account/invitations/accept?token=${token}\n`,
  });
}

/** The signed-in account accepts an invitation sent to its own address and joins the team as a member. */
export async function acceptInvitation(d: AccountDeps, account: Account, token: string): Promise<void> {
  // Checked before the link is used up: an account in a team keeps its invitation for after it leaves.
  if ((await membershipOf(d.db, account.id)) !== null) throw new LpcvError('LPCV_E_TEAM_MEMBERSHIP', 'this account is in a team already: leave it first');
  const peeked = await peekLink(d.db, token, 'invite', d.now());
  if (peeked.email !== account.email)
    throw new LpcvError(
      'LPCV_E_LINK_INVALID',
      `this invitation is for ${peeked.email}: sign in with that address to accept it (you are signed in as ${account.email})`,
    );
  const link = await consumeLink(d.db, token, 'invite', d.now());
  await markVerified(d.db, account.id, d.now());
  await joinTeam(d.db, account, link.teamId!, d.now());
}
