import { LpcvError } from '../../errors/lpcv-error.js';
import type { Track } from '../../harness/tracks/track.js';
import type { Db } from '../db/index.js';
import { BASELINE_TEAM_NAME } from '../db/migrations/0005-leaderboard.js';

/** `lpcv serve --baseline-trials` unless told: one trial, so that `npm start` ranks the six baselines quickly. */
export const DEFAULT_BASELINE_TRIALS = 1;
/** The most trials a track may ask for (track-schema.ts, `protocol.trials`), and so the most for baselines. */
export const MAX_BASELINE_TRIALS = 100;

/** Refuses (LPCV_E_USAGE) a baseline trial count that is not an integer from 1 to MAX_BASELINE_TRIALS (the words of the CLI's check). */
export function checkBaselineTrials(n: number): number {
  if (!Number.isInteger(n) || n < 1 || n > MAX_BASELINE_TRIALS) {
    throw new LpcvError('LPCV_E_USAGE', `--baseline-trials expects an integer from 1 to ${MAX_BASELINE_TRIALS}, got "${n}"`);
  }
  return n;
}

/**
 * The track a job is leased with: a job of the reserved team `baseline` (a seeded baseline, or a device's
 * reference run of one, docs/devices.md) runs `baselineTrials` trials when the track asks for more; every
 * other job runs the track's own. The lease's track is what the device runs, and its completion carries the
 * trials that ran, so the stored record says how many there were.
 */
export async function trackForJob(db: Db, track: Track, jobTeam: string, baselineTrials: number | undefined): Promise<Track> {
  if (baselineTrials === undefined || baselineTrials >= track.protocol.trials) return track;
  if (!(await isBaselineTeam(db, jobTeam))) return track;
  return { ...track, protocol: { ...track.protocol, trials: baselineTrials } };
}

/** Whether a job's `team` (the team id as text, as recordSubmission queues it) is the reserved team `baseline`. */
async function isBaselineTeam(db: Db, jobTeam: string): Promise<boolean> {
  const team = (await db('teams').where('name', BASELINE_TEAM_NAME).first('id')) as { id: number | string } | undefined;
  return team !== undefined && String(team.id) === jobTeam;
}
