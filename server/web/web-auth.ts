/**
 * Who a request comes from, for the pages and the read-only API routes that pages share (docs/pages.md):
 * a bearer token (team or admin), else a login cookie (a team's session token, or a signed admin session),
 * else nobody. And the form token that protects every page form against cross-site request forgery.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Request, Response } from 'express';
import { LpcvError } from '../../errors/lpcv-error.js';
import { authenticate, authorizationHeaders, isAdminToken, issueToken, parseBearer, revokeToken, tokenKindOf, type AdminToken } from '../auth/index.js';
import type { Db } from '../db/index.js';
import { ANONYMOUS, type Viewer } from '../leaderboard/viewer.js';
import { parseCookies, serializeCookie } from './cookies.js';
import { ACCOUNT_COOKIE, signedInAccount } from '../accounts/account-session.js';
import { membershipOf } from '../accounts/team-membership.js';

export const SESSION_COOKIE = 'lpcv_session';
export const ADMIN_COOKIE = 'lpcv_admin';
export const CSRF_COOKIE = 'lpcv_csrf';
/** A web login lasts this long (a team session token expires then; so does an admin session). */
export const SESSION_MS = 12 * 60 * 60 * 1000;
/** The name of the hidden form field that carries the form token. */
export const CSRF_FIELD = '_csrf';

export interface WebAuth {
  readonly db: Db;
  /** Signs form tokens and admin sessions (loadServerKey). */
  readonly key: Buffer;
  readonly admin: AdminToken | null;
  readonly now: () => number;
  /** Mark cookies Secure (the server is reached over HTTPS). */
  readonly secureCookies: boolean;
}

const unauthorized = (): LpcvError =>
  new LpcvError('LPCV_E_UNAUTHORIZED', 'the bearer token is not valid here: use a team token (lpcv_team_...) or the admin token, or none');

/**
 * The viewer of a request. A bearer token wins and must be valid (an invalid one is LPCV_E_UNAUTHORIZED
 * rather than a silent anonymous view); then the admin session cookie, then the team session cookie.
 * Invalid or expired cookies count as no login.
 */
export async function viewerOf(auth: WebAuth, req: Request): Promise<Viewer> {
  const now = auth.now();
  const authorization = authorizationHeaders(req);
  const bearer = parseBearer(authorization);
  if (authorization !== undefined) {
    if (bearer === null) throw unauthorized();
    if (isAdminToken(bearer, auth.admin)) return { kind: 'admin' };
    const team = await authenticate(auth.db, bearer, 'team', now);
    if (team === null) throw unauthorized();
    return { kind: 'team', teamId: team.ownerId, teamName: team.ownerName };
  }
  const cookies = parseCookies(req.headers.cookie);
  const adminCookie = cookies.get(ADMIN_COOKIE);
  if (adminCookie !== undefined && verifyAdminSession(auth, adminCookie, now)) return { kind: 'admin' };
  const session = cookies.get(SESSION_COOKIE);
  if (session !== undefined) {
    const team = await authenticate(auth.db, session, 'session', now);
    if (team !== null) return { kind: 'team', teamId: team.ownerId, teamName: team.ownerName };
  }
  // A member's account session (server/accounts) stands for its team, unless an organizer disabled the team.
  const account = cookies.has(ACCOUNT_COOKIE) ? await signedInAccount(auth, req) : null;
  const member = account === null ? null : await membershipOf(auth.db, account.id);
  if (member !== null && member.disabledAt === null) return { kind: 'team', teamId: member.teamId, teamName: member.teamName };
  return ANONYMOUS;
}

/** The team a team token belongs to, or null (not a team token, unknown, revoked). */
export async function teamOfToken(auth: WebAuth, token: string): Promise<(Viewer & { kind: 'team' }) | null> {
  const team = await authenticate(auth.db, token.trim(), 'team', auth.now());
  return team === null ? null : { kind: 'team', teamId: team.ownerId, teamName: team.ownerName };
}

/**
 * Logs a browser in with a team token (a session token is issued and set as a cookie: the team token itself
 * never goes into a cookie) or the admin token (a signed, expiring admin cookie). LPCV_E_UNAUTHORIZED for
 * anything else, with one message whatever the reason.
 */
export async function logIn(auth: WebAuth, res: Response, token: string): Promise<Viewer> {
  const now = auth.now();
  const given = token.trim();
  if (isAdminToken(given, auth.admin)) {
    const expiresAt = now + SESSION_MS;
    res.append(
      'Set-Cookie',
      serializeCookie(ADMIN_COOKIE, `${expiresAt}.${adminMac(auth, expiresAt)}`, {
        maxAgeSeconds: SESSION_MS / 1000,
        secure: auth.secureCookies,
        sameSite: 'Lax',
      }),
    );
    return { kind: 'admin' };
  }
  const team = await teamOfToken(auth, given);
  if (team === null) throw new LpcvError('LPCV_E_UNAUTHORIZED', 'that is not a valid team token (lpcv_team_...) or the admin token');
  await startTeamSession(auth, res, team.teamId);
  return team;
}

/** Issues a session token for the team and sets it as the login cookie. */
export async function startTeamSession(auth: WebAuth, res: Response, teamId: number): Promise<void> {
  const now = auth.now();
  const session = await issueToken(auth.db, { kind: 'session', ownerId: teamId, expiresAt: now + SESSION_MS }, now);
  res.append('Set-Cookie', serializeCookie(SESSION_COOKIE, session.token, { maxAgeSeconds: SESSION_MS / 1000, secure: auth.secureCookies, sameSite: 'Lax' }));
}

/** Revokes the session token (if any) and clears the login cookies (team session, admin, account). */
export async function logOut(auth: WebAuth, req: Request, res: Response): Promise<void> {
  const session = parseCookies(req.headers.cookie).get(SESSION_COOKIE);
  if (session !== undefined && tokenKindOf(session) === 'session') await revokeToken(auth.db, { token: session }, auth.now());
  for (const name of [SESSION_COOKIE, ADMIN_COOKIE, ACCOUNT_COOKIE]) {
    res.append('Set-Cookie', serializeCookie(name, '', { maxAgeSeconds: 0, secure: auth.secureCookies, sameSite: 'Lax' }));
  }
}

/**
 * An admin session is `<expiresAt>.<mac>`: the MAC covers the expiry and the admin token's digest, so a
 * changed admin token ends every admin session, and nothing about the token is in the cookie.
 */
function adminMac(auth: WebAuth, expiresAt: number): string {
  return createHmac('sha256', auth.key)
    .update(`admin-session:${expiresAt}:${auth.admin?.digest.toString('hex') ?? ''}`)
    .digest('base64url');
}

function verifyAdminSession(auth: WebAuth, value: string, now: number): boolean {
  if (auth.admin === null) return false;
  const m = /^(\d{1,16})\.([A-Za-z0-9_-]{43})$/.exec(value);
  if (m === null) return false;
  const expiresAt = Number(m[1]);
  return expiresAt > now && safeEqual(m[2]!, adminMac(auth, expiresAt));
}

/**
 * The form token for this browser: an HMAC of a random cookie (set here when the browser has none yet).
 * A forged form on another site can make the browser send the cookie but cannot read the page to learn
 * the token, and cannot compute it without the server's key (a planted cookie does not help either).
 */
export function formToken(auth: WebAuth, req: Request, res: Response): string {
  let seed = parseCookies(req.headers.cookie).get(CSRF_COOKIE);
  if (seed === undefined || !/^[A-Za-z0-9_-]{32}$/.test(seed)) {
    seed = randomBytes(24).toString('base64url');
    res.append('Set-Cookie', serializeCookie(CSRF_COOKIE, seed, { secure: auth.secureCookies, sameSite: 'Strict' }));
    // This request's own page must use the new seed too.
    req.headers.cookie = `${req.headers.cookie ?? ''}; ${CSRF_COOKIE}=${seed}`;
  }
  return csrfMac(auth, seed);
}

function csrfMac(auth: WebAuth, seed: string): string {
  return createHmac('sha256', auth.key).update(`form:${seed}`).digest('base64url');
}

/**
 * Refuses (LPCV_E_CSRF) a form post that does not carry this browser's form token, or that a browser says
 * came from another site (Origin or Sec-Fetch-Site).
 */
export function checkFormToken(auth: WebAuth, req: Request, field: string | undefined): void {
  const site = req.headers['sec-fetch-site'];
  if (site === 'cross-site' || site === 'same-site') throw new LpcvError('LPCV_E_CSRF', 'the form was sent from another site');
  const origin = req.headers.origin;
  if (typeof origin === 'string' && origin !== 'null') {
    let host: string | undefined;
    try {
      host = new URL(origin).host;
    } catch {
      host = undefined;
    }
    if (host !== req.headers.host) throw new LpcvError('LPCV_E_CSRF', `the form was sent from ${origin}, not from this server`);
  }
  const seed = parseCookies(req.headers.cookie).get(CSRF_COOKIE);
  if (seed === undefined || field === undefined || !safeEqual(field, csrfMac(auth, seed))) {
    throw new LpcvError('LPCV_E_CSRF', 'the form token is missing or out of date: reload the page and send the form again');
  }
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
