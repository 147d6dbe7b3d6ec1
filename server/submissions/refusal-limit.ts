/**
 * A cap on refused uploads per team. A refusal costs the team no quota (its file never ran), so without a cap
 * a team could send hostile files forever and keep the server's model checks busy. Past `max` refusals within
 * `windowMs`, the team's uploads are refused before a byte of the file is read (LPCV_E_RATE_LIMITED, 429 with
 * Retry-After) until the oldest of those refusals leaves the window. Counted: refusals that are the
 * submission's fault (the file's checks, its size). Kept in this server process's memory: a restart forgets
 * them, and two server processes count apart (docs/api.md).
 */
import { LpcvError } from '../../errors/lpcv-error.js';

export interface RefusalLimitConfig {
  /** Refused uploads a team may have within the window; 0 turns the cap off. */
  readonly max: number;
  readonly windowMs: number;
}

export const DEFAULT_REFUSAL_LIMIT: RefusalLimitConfig = { max: 20, windowMs: 10 * 60_000 };

export function validateRefusalLimit(c: RefusalLimitConfig): RefusalLimitConfig {
  if (!Number.isInteger(c.max) || c.max < 0) throw new LpcvError('LPCV_E_USAGE', `refusal limit: max must be a whole number >= 0, not ${c.max}`);
  if (!Number.isInteger(c.windowMs) || c.windowMs < 1000) {
    throw new LpcvError('LPCV_E_USAGE', `refusal limit: windowMs must be a whole number of at least 1000, not ${c.windowMs}`);
  }
  return c;
}

export class RefusalLimiter {
  private readonly byTeam = new Map<number, number[]>();

  constructor(readonly config: RefusalLimitConfig = DEFAULT_REFUSAL_LIMIT) {
    validateRefusalLimit(config);
  }

  /** The team's refusals still in the window at `now`, oldest first (older ones are forgotten). */
  private recent(teamId: number, now: number): number[] {
    const kept = (this.byTeam.get(teamId) ?? []).filter((t) => t > now - this.config.windowMs);
    if (kept.length === 0) this.byTeam.delete(teamId);
    else this.byTeam.set(teamId, kept);
    return kept;
  }

  /** Throws LPCV_E_RATE_LIMITED when the team is at the cap. */
  check(teamId: number, now: number): void {
    if (this.config.max === 0) return;
    const recent = this.recent(teamId, now);
    if (recent.length < this.config.max) return;
    const freeAt = recent[recent.length - this.config.max]! + this.config.windowMs;
    const retryAfterSeconds = Math.max(1, Math.ceil((freeAt - now) / 1000));
    throw new LpcvError(
      'LPCV_E_RATE_LIMITED',
      `${recent.length} uploads of this team were refused in the last ${Math.round(this.config.windowMs / 60_000)} minutes ` +
        `(at most ${this.config.max}): check files with lpcv validate first; uploads open again in ${retryAfterSeconds} s`,
      { retryAfterSeconds, refused: recent.length, max: this.config.max },
    );
  }

  /** Counts a refusal of the team's upload when it was the submission's fault. */
  record(teamId: number, error: unknown, now: number): void {
    if (this.config.max === 0 || !(error instanceof LpcvError) || error.fault !== 'submission') return;
    this.byTeam.set(teamId, [...this.recent(teamId, now), now]);
  }
}
