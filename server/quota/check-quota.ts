import type { Phase } from '../../harness/competitions/competition.js';
import { LpcvError } from '../../errors/lpcv-error.js';
import { lockRows, type Db } from '../db/index.js';
import { checkPhaseLimits } from './check-phase-quota.js';
import { countQuotaUsed, type QuotaSubject } from './count-quota-used.js';
import { quotaLimitFor, type QuotaConfig } from './quota-config.js';
import { quotaWindow, secondsUntilReset, type QuotaWindow } from './quota-window.js';

/** What a refusal carries in its LpcvError detail (the route turns `retryAfterSeconds` into Retry-After). */
export interface QuotaExceededDetail {
  readonly limit: number;
  readonly used: number;
  readonly resetsAt: string;
  readonly retryAfterSeconds: number;
}

/** The refusal, built from the numbers alone (pure). */
export function quotaExceededError(subject: { track: string }, limit: number, used: number, window: QuotaWindow, now: number): LpcvError {
  const resetsAt = new Date(window.end).toISOString();
  const detail: QuotaExceededDetail = { limit, used, resetsAt, retryAfterSeconds: secondsUntilReset(window, now) };
  return new LpcvError(
    'LPCV_E_QUOTA_EXCEEDED',
    `the daily quota for track ${subject.track} is used up: ${used} of ${limit} submissions today (UTC); it resets at ${resetsAt}`,
    { ...detail },
  );
}

/**
 * Throws LPCV_E_QUOTA_EXCEEDED when the team has no submission left on the track in the UTC day of `now`
 * (the phase's `quota.perDay` when the upload falls in a phase that sets one, else the server's), and the
 * phase's own codes when it is over the phase's total or its cap on failed submissions (check-phase-quota.ts).
 * Called twice per upload: before the file is read (so a refused upload stores nothing), and inside the
 * write transaction that records the submission (`lock: true`), so that two uploads racing at quota - 1
 * cannot both pass. There, on PostgreSQL, the team's row is locked first: concurrent recorders of one team
 * queue up behind it and each counts what the previous one committed (READ COMMITTED takes a new snapshot
 * per statement). On SQLite the transaction already holds the database's write lock.
 */
export async function checkQuota(
  db: Db,
  config: QuotaConfig,
  subject: QuotaSubject,
  now: number,
  options: { lock?: boolean; phase?: Phase | null } = {},
): Promise<void> {
  const phase = options.phase ?? null;
  const limit = phase?.quota.perDay ?? quotaLimitFor(config, subject.track);
  if (limit === 0 && phase === null) return;
  if (options.lock === true) await lockRows(db('teams').select('id').where('id', subject.teamId), db.dialect, 'wait');
  if (limit !== 0) {
    const window = quotaWindow(now);
    const used = await countQuotaUsed(db, subject, window);
    if (used >= limit) throw quotaExceededError(subject, limit, used, window, now);
  }
  if (phase !== null) await checkPhaseLimits(db, phase, subject);
}
