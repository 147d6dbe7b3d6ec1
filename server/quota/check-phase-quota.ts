import type { Phase } from '../../harness/competitions/competition.js';
import { LpcvError } from '../../errors/lpcv-error.js';
import type { Db } from '../db/index.js';
import { countSubmissionFailures, countUnchargedJobs } from '../queue/index.js';
import type { QuotaSubject } from './count-quota-used.js';

/** The team's submissions on the track in the phase: those that count, and those that failed by their own fault. */
export async function countPhaseUsed(db: Db, subject: QuotaSubject, phase: string): Promise<{ counted: number; failed: number }> {
  const jobIds = (await db('submissions')
    .where('team_id', subject.teamId)
    .andWhere('track', subject.track)
    .andWhere('phase', phase)
    .pluck('job_id')) as number[];
  if (jobIds.length === 0) return { counted: 0, failed: 0 };
  return { counted: jobIds.length - (await countUnchargedJobs(db, jobIds)), failed: await countSubmissionFailures(db, jobIds) };
}

/**
 * The phase's limits that do not reset (docs/running-a-competition.md, "Quotas"): `total` submissions per team
 * and track in the phase (infrastructure failures do not count), and `failed`, a cap on submissions that
 * failed by the submission's fault. Each has its own code, and neither promises a reset time.
 */
export async function checkPhaseLimits(db: Db, phase: Phase, subject: QuotaSubject): Promise<void> {
  const { total, failed } = phase.quota;
  if (total === null && failed === null) return;
  const used = await countPhaseUsed(db, subject, phase.name);
  if (total !== null && used.counted >= total) {
    throw new LpcvError(
      'LPCV_E_QUOTA_TOTAL_EXCEEDED',
      `phase ${phase.name} allows ${total} submission(s) per team on track ${subject.track}, and the team has made ${used.counted} (failures of the infrastructure do not count); this limit does not reset during the phase`,
      { limit: total, used: used.counted, phase: phase.name },
    );
  }
  if (failed !== null && used.failed >= failed) {
    throw new LpcvError(
      'LPCV_E_QUOTA_FAILED_EXCEEDED',
      `phase ${phase.name} allows ${failed} failed submission(s) per team on track ${subject.track}, and ${used.failed} of the team's failed by their own fault (check a model with lpcv score before submitting it); failures of the infrastructure do not count`,
      { limit: failed, used: used.failed, phase: phase.name },
    );
  }
}
