/** The `accounts` table (migration 0011): the only code that writes it. */
import { LpcvError } from '../../errors/lpcv-error.js';
import { isUniqueViolation } from '../auth/unique-violation.js';
import type { Db } from '../db/index.js';

export interface Account {
  readonly id: number;
  readonly email: string;
  readonly passwordHash: string | null;
  readonly verifiedAt: number | null;
  readonly createdAt: number;
  readonly disabledAt: number | null;
}

interface Row {
  id: number;
  email: string;
  password_hash: string | null;
  verified_at: number | string | null;
  created_at: number | string;
  disabled_at: number | string | null;
}

const num = (v: number | string | null): number | null => (v === null ? null : Number(v));
const toAccount = (r: Row): Account => ({
  id: r.id,
  email: r.email,
  passwordHash: r.password_hash,
  verifiedAt: num(r.verified_at),
  createdAt: Number(r.created_at),
  disabledAt: num(r.disabled_at),
});

/** A new, unverified account. `email` is normalized (normalizeEmail). LPCV_E_EMAIL_TAKEN when it exists. */
export async function insertAccount(db: Db, email: string, passwordHash: string | null, now: number): Promise<Account> {
  try {
    const [row] = (await db('accounts').insert({ email, password_hash: passwordHash, created_at: now }).returning('*')) as Row[];
    return toAccount(row!);
  } catch (e) {
    if (!isUniqueViolation(e, db.dialect)) throw e;
    throw new LpcvError('LPCV_E_EMAIL_TAKEN', `an account for ${email} exists already: sign in, or ask for a sign-in link`);
  }
}

export async function accountById(db: Db, id: number): Promise<Account | null> {
  const row = (await db('accounts').where('id', id).first()) as Row | undefined;
  return row === undefined ? null : toAccount(row);
}

export async function accountByEmail(db: Db, email: string): Promise<Account | null> {
  const row = (await db('accounts').where('email', email).first()) as Row | undefined;
  return row === undefined ? null : toAccount(row);
}

export async function markVerified(db: Db, id: number, now: number): Promise<void> {
  await db('accounts').where('id', id).whereNull('verified_at').update({ verified_at: now });
}

export async function setPasswordHash(db: Db, id: number, hash: string): Promise<void> {
  await db('accounts').where('id', id).update({ password_hash: hash });
}
