/**
 * Single-use links sent by e-mail (`account_links`, migration 0011): verify an address, sign in, join a team.
 * The link carries a 256-bit random token; the table keeps its SHA-256 only, as for every token here.
 */
import { randomBytes } from 'node:crypto';
import { LpcvError } from '../../errors/lpcv-error.js';
import { hashToken } from '../auth/index.js';
import type { Db } from '../db/index.js';

export type LinkPurpose = 'verify' | 'sign-in' | 'invite';

/** How long a link works: a sign-in link briefly, the others for days. */
export const LINK_TTL_MS: Readonly<Record<LinkPurpose, number>> = { verify: 3 * 86_400_000, 'sign-in': 30 * 60_000, invite: 7 * 86_400_000 };

const LINK_TOKEN = /^lpcv_link_[A-Za-z0-9_-]{43}$/;

export interface LinkRow {
  readonly id: number;
  readonly purpose: LinkPurpose;
  readonly email: string;
  readonly accountId: number | null;
  readonly teamId: number | null;
}

/** Stores a new link and answers its token (put it in the e-mail; it is not stored). */
export async function issueLink(db: Db, l: { purpose: LinkPurpose; email: string; accountId?: number; teamId?: number }, now: number): Promise<string> {
  const token = `lpcv_link_${randomBytes(32).toString('base64url')}`;
  await db('account_links').insert({
    purpose: l.purpose,
    token_hash: hashToken(token),
    email: l.email,
    account_id: l.accountId ?? null,
    team_id: l.teamId ?? null,
    created_at: now,
    expires_at: now + LINK_TTL_MS[l.purpose],
  });
  return token;
}

/**
 * Uses a link once: marks it used and answers it, in one guarded update (two clicks at once: one wins).
 * LPCV_E_LINK_INVALID for a malformed, unknown, used or expired link, or one for another purpose.
 */
export async function consumeLink(db: Db, token: string, purpose: LinkPurpose, now: number): Promise<LinkRow> {
  const invalid = new LpcvError('LPCV_E_LINK_INVALID', 'this link is unknown, used already or expired: ask for a new one');
  if (!LINK_TOKEN.test(token)) throw invalid;
  const hash = hashToken(token);
  const used = await db('account_links').where({ token_hash: hash, purpose }).whereNull('used_at').andWhere('expires_at', '>', now).update({ used_at: now });
  if (used === 0) throw invalid;
  const row = (await db('account_links').where('token_hash', hash).first('id', 'purpose', 'email', 'account_id', 'team_id')) as {
    id: number;
    purpose: LinkPurpose;
    email: string;
    account_id: number | null;
    team_id: number | null;
  };
  return { id: row.id, purpose: row.purpose, email: row.email, accountId: row.account_id, teamId: row.team_id };
}

/** The link's row if it is usable now, without using it (to check who it is for first); else LPCV_E_LINK_INVALID. */
export async function peekLink(db: Db, token: string, purpose: LinkPurpose, now: number): Promise<LinkRow> {
  const row = LINK_TOKEN.test(token)
    ? ((await db('account_links')
        .where({ token_hash: hashToken(token), purpose })
        .whereNull('used_at')
        .andWhere('expires_at', '>', now)
        .first('id', 'purpose', 'email', 'account_id', 'team_id')) as
        { id: number; purpose: LinkPurpose; email: string; account_id: number | null; team_id: number | null } | undefined)
    : undefined;
  if (row === undefined) throw new LpcvError('LPCV_E_LINK_INVALID', 'this link is unknown, used already or expired: ask for a new one');
  return { id: row.id, purpose: row.purpose, email: row.email, accountId: row.account_id, teamId: row.team_id };
}
