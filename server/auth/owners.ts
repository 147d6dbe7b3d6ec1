import { LpcvError } from '../../errors/lpcv-error.js';
import { withWriteTransaction, type Db } from '../db/index.js';
import { insertToken } from './issue-token.js';
import { checkName } from './names.js';
import { isUniqueViolation } from './unique-violation.js';

export interface CreatedOwner {
  readonly id: number;
  readonly name: string;
  /** The owner's first token: shown once, never stored. */
  readonly token: string;
}

/** Adds a team and its first team token (`lpcv_team_...`). LPCV_E_NAME_INVALID, LPCV_E_NAME_TAKEN. */
export function createTeam(db: Db, name: string, now: number): Promise<CreatedOwner> {
  return createOwner(db, 'team', name, now);
}

/** Adds a device agent and its first agent token (`lpcv_agent_...`). LPCV_E_NAME_INVALID, LPCV_E_NAME_TAKEN. */
export function createAgent(db: Db, name: string, now: number): Promise<CreatedOwner> {
  return createOwner(db, 'agent', name, now);
}

/** From now on the agent's tokens are refused. Answers whether it was enabled until now. */
export async function disableAgent(db: Db, agentId: number, now: number): Promise<boolean> {
  return (await db('agents').where('id', agentId).whereNull('disabled_at').update({ disabled_at: now })) > 0;
}

async function createOwner(db: Db, kind: 'team' | 'agent', name: string, now: number): Promise<CreatedOwner> {
  checkName(kind, name);
  const table = kind === 'team' ? 'teams' : 'agents';
  try {
    // The owner and its token in one transaction: a failure leaves neither.
    return await withWriteTransaction(db, async (tx) => {
      // A team made here (by an organizer) needs no approval (migration 0011).
      const row0 = kind === 'team' ? { name, created_at: now, approved_at: now } : { name, created_at: now };
      const [row] = (await tx(table).insert(row0).returning('id')) as Array<{ id: number }>;
      const { token } = await insertToken(tx, { kind, ownerId: row.id }, now);
      return { id: row.id, name, token };
    });
  } catch (e) {
    // Insert and catch rather than look first: two concurrent adds on PostgreSQL would both find nothing.
    if (!isUniqueViolation(e, db.dialect)) throw e;
    const existing = (await db(table).whereRaw('lower(name) = lower(?)', [name]).first('name')) as { name: string } | undefined;
    const same = existing === undefined || existing.name === name ? '' : ` (as ${JSON.stringify(existing.name)}: names are compared ignoring letter case)`;
    throw new LpcvError('LPCV_E_NAME_TAKEN', `a ${kind} named ${JSON.stringify(name)} already exists${same}`, { name });
  }
}
