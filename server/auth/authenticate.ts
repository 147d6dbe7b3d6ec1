import type { Db } from '../db/index.js';
import { ownerTableOf } from './issue-token.js';
import { hashToken, tokenKindOf, type TokenKind } from './token.js';

/** Who presented a valid token. */
export interface Principal {
  readonly kind: TokenKind;
  /** teams.id for team and session tokens, agents.id for agent tokens. */
  readonly ownerId: number;
  readonly ownerName: string;
  /** tokens.id: what a logout or an admin revokes. */
  readonly tokenId: number;
}

/**
 * last_used_at moves only when it is at least this old: a busy agent then writes once a minute, not on
 * every heartbeat (on SQLite every write waits for the database's single write lock).
 */
export const LAST_USED_RESOLUTION_MS = 60_000;

interface Row {
  id: number;
  owner_id: number;
  owner_name: string;
  last_used_at: number | null;
}

/**
 * The owner of a bearer token of the given kind, or null: no token, not a token's shape, another kind
 * (an agent token where a team token is wanted), unknown, revoked, expired, or its agent disabled.
 *
 * Timing: the presented token is never compared with a stored secret. It is hashed and the row is found by
 * an equality lookup on `token_hash`; what the index compares is a SHA-256 digest, so how long the lookup
 * takes depends on how many leading digest bytes an attacker's guess shares with some stored hash, which
 * tells nothing about any token (that would take SHA-256 preimages). The early refusal of a malformed
 * token depends only on its public shape.
 */
export async function authenticate(db: Db, bearerToken: string | null | undefined, kind: TokenKind, now: number): Promise<Principal | null> {
  if (!bearerToken || tokenKindOf(bearerToken) !== kind) return null;
  const owners = ownerTableOf(kind);
  const query = db('tokens as t')
    .join(`${owners} as o`, 'o.id', 't.owner_id')
    .where('t.token_hash', hashToken(bearerToken))
    .andWhere('t.kind', kind)
    .whereNull('t.revoked_at')
    .andWhere((q) => void q.whereNull('t.expires_at').orWhere('t.expires_at', '>', now))
    .first('t.id', 't.owner_id', 'o.name as owner_name', 't.last_used_at');
  // A disabled agent, or a team an admin disabled (migration 0011), holds no valid token.
  query.whereNull('o.disabled_at');
  const row = (await query) as Row | undefined;
  if (row === undefined) return null;

  if (row.last_used_at === null || now - row.last_used_at >= LAST_USED_RESOLUTION_MS) {
    // Guarded so that a request with an older `now` never moves it back.
    await db('tokens')
      .where('id', row.id)
      .andWhere((q) => void q.whereNull('last_used_at').orWhere('last_used_at', '<', now))
      .update({ last_used_at: now });
  }
  return { kind, ownerId: row.owner_id, ownerName: row.owner_name, tokenId: row.id };
}
