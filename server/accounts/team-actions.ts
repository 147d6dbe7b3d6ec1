/** An organizer's actions on a team (the admin page and the admin API share them). */
import { LpcvError } from '../../errors/lpcv-error.js';
import type { Db } from '../db/index.js';
import { approveTeam, setTeamDisabled } from './team-membership.js';

export const TEAM_ACTIONS = ['approve', 'disable', 'enable'] as const;
export type TeamAction = (typeof TEAM_ACTIONS)[number];

/** Parses a team id from a path; LPCV_E_BAD_REQUEST otherwise. */
export function parseTeamId(text: string): number {
  const id = Number(text);
  if (!/^[1-9][0-9]{0,9}$/.test(text) || !Number.isSafeInteger(id))
    throw new LpcvError('LPCV_E_BAD_REQUEST', `${JSON.stringify(text.slice(0, 40))} is not a team id`);
  return id;
}

/** Applies an admin's action to a team; answers whether it changed anything. */
export function teamAction(db: Db, id: number, action: TeamAction, now: number): Promise<boolean> {
  return action === 'approve' ? approveTeam(db, id, now) : setTeamDisabled(db, id, action === 'disable', now);
}
