/**
 * What a submission's status shows of its job's runs, for the API (GET /api/submissions/:id) and the status
 * page alike: every state change (server/queue's job_events), the output tails of each attempt unless the
 * track hides them from this viewer, and the device that ran (or runs) it.
 */
import type { Track } from '../../harness/tracks/track.js';
import type { Db } from '../db/index.js';
import { leasedByDevice } from '../devices/index.js';
import type { Viewer } from '../leaderboard/viewer.js';
import { getJobEvents, type Job, type JobEvent } from '../queue/index.js';
import { getJobLogs, type AttemptLogs } from './job-logs.js';
import { participantSettings } from './participant-settings.js';

export interface SubmissionRun {
  readonly events: readonly JobEvent[];
  /** Per attempt, oldest first; null when the track hides them from this viewer. */
  readonly logs: readonly AttemptLogs[] | null;
  /** The track hides the logs from participants (an admin still gets them in `logs`). */
  readonly logsHidden: boolean;
  /** The device that holds (or last held) the job, when a device of the agent API leased it. */
  readonly device: { readonly name: string; readonly kind: string; readonly agent: string } | null;
}

export async function readSubmissionRun(db: Db, job: Job, track: Track | undefined, viewer: Viewer): Promise<SubmissionRun> {
  const logsHidden = !participantSettings(track).logs;
  const deviceId = leasedByDevice(job.leasedBy);
  // Independent reads, at once: on PostgreSQL they take a connection each instead of three round trips in turn.
  const [device, events, logs] = await Promise.all([
    deviceId === undefined
      ? undefined
      : (db('devices as d').join('agents as a', 'a.id', 'd.agent_id').where('d.id', deviceId).first('d.name', 'd.kind', 'a.name as agent') as Promise<
          { name: string; kind: string; agent: string } | undefined
        >),
    getJobEvents(db, job.id),
    logsHidden && viewer.kind !== 'admin' ? null : getJobLogs(db, job.id),
  ]);
  return { events, logs, logsHidden, device: device ?? null };
}
