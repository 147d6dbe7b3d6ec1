import { createHash, randomBytes } from 'node:crypto';

/**
 * What a token lets its holder do: `team` submits for a team, `agent` leases and runs jobs, `session` is a
 * web login (a cookie) standing for a team.
 */
export type TokenKind = 'team' | 'agent' | 'session';

export const TOKEN_KINDS: readonly TokenKind[] = ['team', 'agent', 'session'];

/** 32 random bytes: 256 bits, 43 characters of base64url (no padding). */
const SECRET_BYTES = 32;
const SECRET_CHARS = 43;
/** Characters of the random part kept in `tokens.prefix` for display (48 of the 256 bits). */
export const DISPLAY_SECRET_CHARS = 8;

/**
 * `lpcv_team_`, `lpcv_agent_`, `lpcv_session_`: the kind is readable in the token itself, so a token pasted
 * in the wrong place is refused without a database query, and secret scanners can recognise it.
 */
export function tokenPrefixFor(kind: TokenKind): string {
  return `lpcv_${kind}_`;
}

const TOKEN_SHAPE = new RegExp(`^lpcv_(team|agent|session)_[A-Za-z0-9_-]{${SECRET_CHARS}}$`);

export interface NewToken {
  /** Shown once to whoever asked for it; never stored. */
  readonly token: string;
  /** What the database keeps (`tokens.token_hash`). */
  readonly hash: string;
  /** What lists show (`tokens.prefix`): the kind's prefix and the first characters of the random part. */
  readonly prefix: string;
}

export function generateToken(kind: TokenKind): NewToken {
  const token = tokenPrefixFor(kind) + randomBytes(SECRET_BYTES).toString('base64url');
  return { token, hash: hashToken(token), prefix: displayPrefixOf(token, kind) };
}

/**
 * Hex SHA-256 of the whole token. Enough for 256-bit random secrets: stretching (bcrypt, scrypt) only
 * slows down guessing low-entropy passwords, and nobody guesses 2^256 values.
 */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** The kind a string claims to be a token of, or null when it does not have a token's shape. */
export function tokenKindOf(token: string): TokenKind | null {
  const m = TOKEN_SHAPE.exec(token);
  return m ? (m[1] as TokenKind) : null;
}

function displayPrefixOf(token: string, kind: TokenKind): string {
  return token.slice(0, tokenPrefixFor(kind).length + DISPLAY_SECRET_CHARS);
}
