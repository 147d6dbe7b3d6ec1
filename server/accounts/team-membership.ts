/**
 * Teams with members (migration 0011, docs/accounts.md): the only code that writes `team_members`, the
 * teams' approval and disabled switches, and members' own tokens.
 */
import type { Registration } from '../../harness/competitions/competition.js';
import { LpcvError } from '../../errors/lpcv-error.js';
import { checkName } from '../auth/index.js';
import { insertToken, type IssuedToken } from '../auth/issue-token.js';
import { isUniqueViolation } from '../auth/unique-violation.js';
import { withWriteTransaction, type Db } from '../db/index.js';
import { BASELINE_TEAM_NAME } from '../db/migrations/0005-leaderboard.js';
import type { Account } from './accounts-table.js';
import { checkRegistrationOpen } from './registration-policy.js';

export type Role = 'captain' | 'member';

export interface Membership {
  readonly teamId: number;
  readonly teamName: string;
  readonly role: Role;
  /** Null while the team waits for an organizer (registration "approval"). */
  readonly approvedAt: number | null;
  readonly disabledAt: number | null;
}

export interface Member {
  readonly accountId: number;
  readonly email: string;
  readonly role: Role;
  readonly joinedAt: number;
}

const membership = (message: string): LpcvError => new LpcvError('LPCV_E_TEAM_MEMBERSHIP', message);
const num = (v: number | string | null): number | null => (v === null ? null : Number(v));

/** The account's team, or null. */
export async function membershipOf(db: Db, accountId: number): Promise<Membership | null> {
  const row = (await db('team_members as m')
    .join('teams as t', 't.id', 'm.team_id')
    .where('m.account_id', accountId)
    .first('t.id as team_id', 't.name as team_name', 'm.role as role', 't.approved_at as approved_at', 't.disabled_at as disabled_at')) as
    { team_id: number; team_name: string; role: Role; approved_at: number | string | null; disabled_at: number | string | null } | undefined;
  return row === undefined
    ? null
    : { teamId: row.team_id, teamName: row.team_name, role: row.role, approvedAt: num(row.approved_at), disabledAt: num(row.disabled_at) };
}

export async function membersOf(db: Db, teamId: number): Promise<Member[]> {
  const rows = (await db('team_members as m')
    .join('accounts as a', 'a.id', 'm.account_id')
    .where('m.team_id', teamId)
    .orderBy([{ column: 'm.role' }, { column: 'm.joined_at' }])
    .select('a.id as account_id', 'a.email as email', 'm.role as role', 'm.joined_at as joined_at')) as Array<{
    account_id: number;
    email: string;
    role: Role;
    joined_at: number | string;
  }>;
  return rows.map((r) => ({ accountId: r.account_id, email: r.email, role: r.role, joinedAt: Number(r.joined_at) }));
}

function requireVerified(account: Account): void {
  if (account.verifiedAt === null) throw new LpcvError('LPCV_E_EMAIL_UNVERIFIED', `verify ${account.email} first: follow the link the server e-mailed`);
}

/**
 * A new team with the account as its captain. Under registration "approval" it waits for an organizer;
 * "closed" refuses. LPCV_E_NAME_TAKEN, LPCV_E_TEAM_MEMBERSHIP (already in a team).
 */
export async function createTeamAsCaptain(db: Db, account: Account, name: string, registration: Registration, now: number): Promise<Membership> {
  requireVerified(account);
  checkRegistrationOpen(registration, 'teams');
  checkName('team', name);
  try {
    return await withWriteTransaction(db, async (tx) => {
      if ((await membershipOf(tx, account.id)) !== null) throw membership('this account is in a team already: leave it first');
      const approvedAt = registration.mode === 'approval' ? null : now;
      const [team] = (await tx('teams').insert({ name, created_at: now, approved_at: approvedAt }).returning('id')) as Array<{ id: number }>;
      await tx('team_members').insert({ team_id: team!.id, account_id: account.id, role: 'captain', joined_at: now });
      return { teamId: team!.id, teamName: name, role: 'captain' as const, approvedAt, disabledAt: null };
    });
  } catch (e) {
    if (!isUniqueViolation(e, db.dialect)) throw e;
    throw new LpcvError('LPCV_E_NAME_TAKEN', `a team named ${JSON.stringify(name)} already exists (names are compared ignoring letter case)`, { name });
  }
}

/** The captain's team, or LPCV_E_TEAM_MEMBERSHIP. */
export async function requireCaptain(db: Db, account: Account): Promise<Membership> {
  const m = await membershipOf(db, account.id);
  if (m === null || m.role !== 'captain') throw membership("only a team's captain may do this");
  return m;
}

/** Joins the team as a member (an accepted invitation). The account's address is verified by the link. */
export async function joinTeam(db: Db, account: Account, teamId: number, now: number): Promise<void> {
  await withWriteTransaction(db, async (tx) => {
    if ((await membershipOf(tx, account.id)) !== null) throw membership('this account is in a team already: leave it first');
    await tx('team_members').insert({ team_id: teamId, account_id: account.id, role: 'member', joined_at: now });
  });
}

/** Revokes the member's own tokens of the team (on leaving or removal). */
async function revokeMemberTokens(tx: Db, teamId: number, accountId: number, now: number): Promise<void> {
  await tx('tokens').where({ kind: 'team', owner_id: teamId, account_id: accountId }).whereNull('revoked_at').update({ revoked_at: now });
}

/** Leaves the team. A captain may leave only as its last member (hand the captaincy over first). */
export async function leaveTeam(db: Db, account: Account, now: number): Promise<void> {
  await withWriteTransaction(db, async (tx) => {
    const m = await membershipOf(tx, account.id);
    if (m === null) throw membership('this account is in no team');
    if (m.role === 'captain' && (await membersOf(tx, m.teamId)).length > 1) throw membership('the captain leaves last: make another member captain first');
    await tx('team_members').where({ team_id: m.teamId, account_id: account.id }).delete();
    await revokeMemberTokens(tx, m.teamId, account.id, now);
  });
}

/** The captain removes a member (not itself). */
export async function removeMember(db: Db, captain: Account, accountId: number, now: number): Promise<void> {
  await withWriteTransaction(db, async (tx) => {
    const m = await requireCaptain(tx, captain);
    if (accountId === captain.id) throw membership('a captain cannot remove itself: leave the team instead');
    const removed = await tx('team_members').where({ team_id: m.teamId, account_id: accountId }).delete();
    if (removed === 0) throw membership('that account is not a member of this team');
    await revokeMemberTokens(tx, m.teamId, accountId, now);
  });
}

/** The captain hands the captaincy to another member and becomes a member. */
export async function transferCaptaincy(db: Db, captain: Account, accountId: number): Promise<void> {
  await withWriteTransaction(db, async (tx) => {
    const m = await requireCaptain(tx, captain);
    const promoted = await tx('team_members').where({ team_id: m.teamId, account_id: accountId, role: 'member' }).update({ role: 'captain' });
    if (promoted === 0) throw membership('that account is not a member of this team');
    await tx('team_members').where({ team_id: m.teamId, account_id: captain.id }).update({ role: 'member' });
  });
}

/** A member's own API token (a team token naming its member), for lpcv submit. Shown once. */
export async function issueMemberToken(db: Db, account: Account, now: number): Promise<IssuedToken> {
  return withWriteTransaction(db, async (tx) => {
    const m = await membershipOf(tx, account.id);
    if (m === null) throw membership('join or create a team first: a token submits for a team');
    const issued = await insertToken(tx, { kind: 'team', ownerId: m.teamId }, now);
    await tx('tokens').where('id', issued.id).update({ account_id: account.id });
    return issued;
  });
}

/** LPCV_E_TEAM_PENDING while the team waits for approval or is disabled: checked before an upload is read. */
export async function checkTeamActive(db: Db, teamId: number): Promise<void> {
  const row = (await db('teams').where('id', teamId).first('name', 'approved_at', 'disabled_at')) as
    { name: string; approved_at: number | string | null; disabled_at: number | string | null } | undefined;
  if (row === undefined) return;
  if (row.disabled_at !== null) throw new LpcvError('LPCV_E_TEAM_PENDING', `team ${row.name} was disabled by the organizers`);
  if (row.approved_at === null) throw new LpcvError('LPCV_E_TEAM_PENDING', `team ${row.name} waits for the organizers' approval before it may submit`);
}

/** An organizer approves a waiting team (idempotent). */
export async function approveTeam(db: Db, teamId: number, now: number): Promise<boolean> {
  return (await db('teams').where('id', teamId).whereNull('approved_at').update({ approved_at: now })) > 0;
}

/** An organizer disables (or enables again) a team: its tokens and its members' sessions are refused while it is. */
export async function setTeamDisabled(db: Db, teamId: number, disabled: boolean, now: number): Promise<boolean> {
  const q = db('teams').where('id', teamId);
  return (await (disabled ? q.whereNull('disabled_at').update({ disabled_at: now }) : q.whereNotNull('disabled_at').update({ disabled_at: null }))) > 0;
}

export interface TeamWithMembers {
  readonly id: number;
  readonly name: string;
  readonly createdAt: number;
  readonly approvedAt: number | null;
  readonly disabledAt: number | null;
  readonly members: readonly Member[];
}

/** Every team with its members, for the admin pages. */
export async function listTeamsWithMembers(db: Db): Promise<TeamWithMembers[]> {
  const teams = (await db('teams').orderBy('id').select('id', 'name', 'created_at', 'approved_at', 'disabled_at')) as Array<{
    id: number;
    name: string;
    created_at: number | string;
    approved_at: number | string | null;
    disabled_at: number | string | null;
  }>;
  const out: TeamWithMembers[] = [];
  for (const t of teams) {
    if (t.name === BASELINE_TEAM_NAME) continue;
    out.push({
      id: t.id,
      name: t.name,
      createdAt: Number(t.created_at),
      approvedAt: num(t.approved_at),
      disabledAt: num(t.disabled_at),
      members: await membersOf(db, t.id),
    });
  }
  return out;
}
