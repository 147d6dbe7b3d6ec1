import { createHash, timingSafeEqual } from 'node:crypto';
import { LpcvError } from '../../errors/lpcv-error.js';

export const ADMIN_TOKEN_ENV = 'LPCV_ADMIN_TOKEN';
/** 32 characters of base64 are 192 bits; fewer would make the one all-powerful secret guessable. */
export const MIN_ADMIN_TOKEN_CHARS = 32;

/**
 * The organizers' token, from the environment (never from the database). Only its SHA-256 digest is kept
 * in memory, so that a configuration object that ends up in a log or an error does not carry it.
 */
export interface AdminToken {
  readonly digest: Buffer;
}

/**
 * Reads LPCV_ADMIN_TOKEN once at start-up: null when unset or empty (no admin access over HTTP),
 * LPCV_E_USAGE when it is too short or holds whitespace.
 */
export function adminTokenFromEnv(env: Readonly<Record<string, string | undefined>> = process.env): AdminToken | null {
  const value = env[ADMIN_TOKEN_ENV];
  if (value === undefined || value === '') return null;
  if (value.length < MIN_ADMIN_TOKEN_CHARS || /\s/.test(value)) {
    throw new LpcvError(
      'LPCV_E_USAGE',
      `${ADMIN_TOKEN_ENV} must be at least ${MIN_ADMIN_TOKEN_CHARS} characters without spaces (got ${value.length}); ` +
        `make one with: node -e "console.log(require('crypto').randomBytes(32).toString('base64url'))"`,
    );
  }
  return { digest: sha256(value) };
}

/**
 * Whether a bearer token is the admin token. Both sides are hashed first, so timingSafeEqual always gets
 * two 32-byte digests: the comparison's time depends neither on where they differ nor on the secret's
 * length.
 */
export function isAdminToken(bearerToken: string | null | undefined, admin: AdminToken | null): boolean {
  if (admin === null || !bearerToken) return false;
  return timingSafeEqual(sha256(bearerToken), admin.digest);
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}
