import type { Request } from 'express';
import { LpcvError } from '../../errors/lpcv-error.js';
import { authenticate, authorizationHeaders, parseBearer, type Principal } from '../auth/index.js';
import type { Db } from '../db/index.js';

/**
 * The team whose token the request carries (`Authorization: Bearer lpcv_team_...`), or LPCV_E_UNAUTHORIZED.
 * One message for every refusal: it does not tell a guesser whether a token exists, is revoked or is an
 * agent's.
 */
export async function requireTeam(db: Db, req: Request, now: number): Promise<Principal> {
  const principal = await authenticate(db, parseBearer(authorizationHeaders(req)), 'team', now);
  if (principal === null) {
    throw new LpcvError('LPCV_E_UNAUTHORIZED', 'this route needs a valid team token: Authorization: Bearer lpcv_team_...');
  }
  return principal;
}
