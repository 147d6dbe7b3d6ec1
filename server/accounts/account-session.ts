/**
 * An account's web login: the cookie `lpcv_account` = `<accountId>.<expiresAt>.<mac>`, an HMAC with the
 * server's key over the id, the expiry and a digest of the account's password hash, so that a new password
 * ends every session of the account and nothing secret is in the cookie. A disabled account's cookie is
 * refused when read.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { Request, Response } from 'express';
import type { Db } from '../db/index.js';
import { parseCookies, serializeCookie } from '../web/cookies.js';
import { accountById, type Account } from './accounts-table.js';

export const ACCOUNT_COOKIE = 'lpcv_account';
export const ACCOUNT_SESSION_MS = 12 * 60 * 60 * 1000;

export interface SessionKeys {
  readonly db: Db;
  readonly key: Buffer;
  readonly now: () => number;
  readonly secureCookies: boolean;
}

function mac(k: SessionKeys, account: Account, expiresAt: number): string {
  const secret = createHash('sha256')
    .update(account.passwordHash ?? 'no-password')
    .digest('hex');
  return createHmac('sha256', k.key).update(`account-session:${account.id}:${expiresAt}:${secret}`).digest('base64url');
}

export function startAccountSession(k: SessionKeys, res: Response, account: Account): void {
  const expiresAt = k.now() + ACCOUNT_SESSION_MS;
  res.append(
    'Set-Cookie',
    serializeCookie(ACCOUNT_COOKIE, `${account.id}.${expiresAt}.${mac(k, account, expiresAt)}`, {
      maxAgeSeconds: ACCOUNT_SESSION_MS / 1000,
      secure: k.secureCookies,
      sameSite: 'Lax',
    }),
  );
}

export function endAccountSession(k: SessionKeys, res: Response): void {
  res.append('Set-Cookie', serializeCookie(ACCOUNT_COOKIE, '', { maxAgeSeconds: 0, secure: k.secureCookies, sameSite: 'Lax' }));
}

/** The signed-in account of a request, or null (no cookie, a forged or expired one, a disabled account). */
export async function signedInAccount(k: SessionKeys, req: Request): Promise<Account | null> {
  const value = parseCookies(req.headers.cookie).get(ACCOUNT_COOKIE);
  const m = value === undefined ? null : /^(\d{1,12})\.(\d{1,16})\.([A-Za-z0-9_-]{43})$/.exec(value);
  if (m === null) return null;
  const expiresAt = Number(m[2]);
  if (expiresAt <= k.now()) return null;
  const account = await accountById(k.db, Number(m[1]));
  if (account === null || account.disabledAt !== null) return null;
  const given = Buffer.from(m[3]!);
  const expected = Buffer.from(mac(k, account, expiresAt));
  return given.length === expected.length && timingSafeEqual(given, expected) ? account : null;
}
