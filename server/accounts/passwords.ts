/**
 * Passwords, hashed with scrypt (node:crypto): `scrypt$<N>$<r>$<p>$<salt>$<hash>` (base64url), so that the
 * cost can rise later without invalidating stored hashes. N = 2^15, r = 8, p = 1 (OWASP's minimum for scrypt,
 * about 32 MiB and some tens of ms per check).
 */
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { LpcvError } from '../../errors/lpcv-error.js';

const N = 2 ** 15;
const R = 8;
const P = 1;
const KEY_BYTES = 32;
export const MIN_PASSWORD_CHARS = 10;
export const MAX_PASSWORD_CHARS = 200;

function derive(password: string, salt: Buffer, o: { N: number; r: number; p: number }): Promise<Buffer> {
  const options: ScryptOptions = { N: o.N, r: o.r, p: o.p, maxmem: 128 * o.N * o.r * 2 };
  return new Promise((resolve, reject) => scrypt(password.normalize('NFC'), salt, KEY_BYTES, options, (e, key) => (e ? reject(e) : resolve(key))));
}

/** LPCV_E_PASSWORD_WEAK unless the password has 10 to 200 characters. */
export function checkPassword(password: string): void {
  const chars = [...password].length;
  if (chars < MIN_PASSWORD_CHARS || chars > MAX_PASSWORD_CHARS)
    throw new LpcvError('LPCV_E_PASSWORD_WEAK', `a password needs ${MIN_PASSWORD_CHARS} to ${MAX_PASSWORD_CHARS} characters (this one has ${chars})`);
}

export async function hashPassword(password: string): Promise<string> {
  checkPassword(password);
  const salt = randomBytes(16);
  const key = await derive(password, salt, { N, r: R, p: P });
  return `scrypt$${N}$${R}$${P}$${salt.toString('base64url')}$${key.toString('base64url')}`;
}

/** Whether the password matches the stored hash (false for a malformed or missing hash). */
export async function verifyPassword(password: string, stored: string | null): Promise<boolean> {
  const m = stored === null ? null : /^scrypt\$(\d+)\$(\d+)\$(\d+)\$([A-Za-z0-9_-]+)\$([A-Za-z0-9_-]+)$/.exec(stored);
  if (m === null || [...password].length > MAX_PASSWORD_CHARS) return false;
  const expected = Buffer.from(m[5]!, 'base64url');
  const key = await derive(password, Buffer.from(m[4]!, 'base64url'), { N: Number(m[1]), r: Number(m[2]), p: Number(m[3]) });
  return key.length === expected.length && timingSafeEqual(key, expected);
}
