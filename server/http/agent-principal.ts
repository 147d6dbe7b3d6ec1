import type { Request } from 'express';
import { LpcvError } from '../../errors/lpcv-error.js';
import { authenticate, authorizationHeaders, parseBearer, type Principal } from '../auth/index.js';
import type { Db } from '../db/index.js';

/**
 * The device agent whose token the request carries (`Authorization: Bearer lpcv_agent_...`), or
 * LPCV_E_UNAUTHORIZED: one message for every refusal (missing, unknown, revoked, a team's token, a
 * disabled agent), as requireTeam.
 */
export async function requireAgent(db: Db, req: Request, now: number): Promise<Principal> {
  const principal = await authenticate(db, parseBearer(authorizationHeaders(req)), 'agent', now);
  if (principal === null) {
    throw new LpcvError('LPCV_E_UNAUTHORIZED', 'this route needs a valid agent token: Authorization: Bearer lpcv_agent_...');
  }
  return principal;
}
