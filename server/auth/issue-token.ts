import { withWriteTransaction, type Db } from '../db/index.js';
import { generateToken, hashToken, type TokenKind } from './token.js';

/** Whose id `tokens.owner_id` holds: a team's for team and session tokens, an agent's for agent tokens. */
export function ownerTableOf(kind: TokenKind): 'teams' | 'agents' {
  return kind === 'agent' ? 'agents' : 'teams';
}

export interface IssueArgs {
  readonly kind: TokenKind;
  /** teams.id for 'team' and 'session', agents.id for 'agent'. */
  readonly ownerId: number;
  /** Refused from this time on (epoch ms). For sessions; team and agent tokens usually never expire. */
  readonly expiresAt?: number;
}

export interface IssuedToken {
  readonly id: number;
  /** The secret: hand it over once, it is not stored and cannot be shown again. */
  readonly token: string;
  /** For display: "lpcv_team_AbCdEfGh". */
  readonly prefix: string;
}

/**
 * Inserts a token row for an owner known to exist (createTeam, createAgent, issueToken). Only the hash and
 * the display prefix are stored.
 */
export async function insertToken(tx: Db, args: IssueArgs, now: number): Promise<IssuedToken> {
  const { token, hash, prefix } = generateToken(args.kind);
  const [row] = (await tx('tokens')
    .insert({ kind: args.kind, owner_id: args.ownerId, token_hash: hash, prefix, created_at: now, expires_at: args.expiresAt ?? null })
    .returning('id')) as Array<{ id: number }>;
  return { id: row.id, token, prefix };
}

/**
 * A new token for an existing team or agent (a second team token, a web session after a login). Other
 * tokens of the owner stay valid; revoke them with revokeToken.
 */
export async function issueToken(db: Db, args: IssueArgs, now: number): Promise<IssuedToken> {
  if (!Number.isSafeInteger(args.ownerId)) throw new Error(`issueToken: ownerId must be an integer id, got ${args.ownerId}`);
  if (args.expiresAt !== undefined && !Number.isSafeInteger(args.expiresAt))
    throw new Error(`issueToken: expiresAt must be epoch milliseconds, got ${args.expiresAt}`);
  return withWriteTransaction(db, async (tx) => {
    const owner = await tx(ownerTableOf(args.kind)).where('id', args.ownerId).first('id');
    if (owner === undefined) throw new Error(`issueToken: no ${args.kind === 'agent' ? 'agent' : 'team'} with id ${args.ownerId}`);
    return insertToken(tx, args, now);
  });
}

/**
 * Revokes one token, by its row id (an admin acting on a listed token) or by the token itself (a logout).
 * Answers whether a token was revoked now: false when there is no such token or it was revoked already.
 */
export async function revokeToken(db: Db, which: { readonly id: number } | { readonly token: string }, now: number): Promise<boolean> {
  const query = db('tokens').whereNull('revoked_at');
  if ('id' in which) query.where('id', which.id);
  else query.where('token_hash', hashToken(which.token));
  return (await query.update({ revoked_at: now })) > 0;
}
