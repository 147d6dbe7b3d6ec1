import type { Db } from '../db/index.js';

/** A token as lists show it: never the token, only its display prefix. */
export interface TokenSummary {
  readonly id: number;
  readonly prefix: string;
  readonly createdAt: number;
  readonly lastUsedAt: number | null;
}

export interface TeamSummary {
  readonly id: number;
  readonly name: string;
  readonly createdAt: number;
  /** The team's live team tokens (web sessions and revoked tokens are left out), oldest first. */
  readonly tokens: readonly TokenSummary[];
}

export interface AgentSummary extends TeamSummary {
  readonly disabledAt: number | null;
}

interface OwnerRow {
  id: number;
  name: string;
  created_at: number;
  disabled_at?: number | null;
}
interface TokenRow {
  id: number;
  owner_id: number;
  prefix: string;
  created_at: number;
  last_used_at: number | null;
}

/** Every team, oldest first, with its token prefixes. */
export async function listTeams(db: Db): Promise<TeamSummary[]> {
  const owners = (await db('teams').orderBy('id').select('id', 'name', 'created_at')) as OwnerRow[];
  const tokens = await liveTokens(db, 'team');
  return owners.map((o) => ({ id: o.id, name: o.name, createdAt: o.created_at, tokens: tokens.get(o.id) ?? [] }));
}

/** Every agent, oldest first, with its token prefixes. */
export async function listAgents(db: Db): Promise<AgentSummary[]> {
  const owners = (await db('agents').orderBy('id').select('id', 'name', 'created_at', 'disabled_at')) as OwnerRow[];
  const tokens = await liveTokens(db, 'agent');
  return owners.map((o) => ({ id: o.id, name: o.name, createdAt: o.created_at, disabledAt: o.disabled_at ?? null, tokens: tokens.get(o.id) ?? [] }));
}

async function liveTokens(db: Db, kind: 'team' | 'agent'): Promise<Map<number, TokenSummary[]>> {
  const rows = (await db('tokens')
    .where('kind', kind)
    .whereNull('revoked_at')
    .orderBy('id')
    .select('id', 'owner_id', 'prefix', 'created_at', 'last_used_at')) as TokenRow[];
  const byOwner = new Map<number, TokenSummary[]>();
  for (const r of rows) {
    const list = byOwner.get(r.owner_id) ?? [];
    list.push({ id: r.id, prefix: r.prefix, createdAt: r.created_at, lastUsedAt: r.last_used_at });
    byOwner.set(r.owner_id, list);
  }
  return byOwner;
}
