import type { Request } from 'express';
import type { Track } from '../../harness/tracks/track.js';
import type { ArtifactStore } from '../../submissions/store/artifact-store.js';
import type { Db } from '../db/index.js';
import type { ModelCheck } from '../../submissions/validate/check-pool.js';
import { checkTeamActive } from '../accounts/team-membership.js';
import { readPhases } from '../competitions/competitions-table.js';
import { uploadPhase } from '../competitions/upload-phase.js';
import { checkQuota, type QuotaConfig } from '../quota/index.js';
import type { RefusalLimiter } from './refusal-limit.js';
import { receiveSubmissionForm, type SubmissionForm } from './receive-submission-form.js';
import { isArtifactReferenced, newSubmissionId, recordSubmission } from './submissions-table.js';
import type { TrackLookup } from '../tracks/track-lookup.js';
import { logOf } from '../log/request-log.js';
import type { ServerMetrics } from '../metrics/server-metrics.js';

export interface SubmissionIntakeDeps {
  readonly db: Db;
  readonly store: ArtifactStore;
  readonly tracks: TrackLookup;
  readonly now: () => number;
  /** Submissions per team per track per UTC day (server/quota). */
  readonly quota: QuotaConfig;
  /** How stored files are checked (the server's ModelCheckPool; default: on this thread). */
  readonly modelCheck?: ModelCheck;
  /** The cap on refused uploads per team (refusal-limit.ts); none when absent. */
  readonly refusals?: RefusalLimiter;
  /** The server's metrics: accepted uploads' sizes (server/metrics). */
  readonly metrics?: ServerMetrics;
}

export interface TakeSubmissionArgs {
  readonly req: Request;
  /** Form fields besides track, description, file and aihubJob (the web form's `_csrf` and `token`). */
  readonly extraFields?: readonly string[];
  /**
   * The submitting team's id, decided once the track and the fields before the file have arrived and
   * before a byte of the file is read (the API knows it from the header already; the web form may check
   * its form token and a pasted team token here). Throwing refuses the upload with nothing stored.
   */
  readonly teamFor: (track: Track, extras: Readonly<Record<string, string>>) => Promise<number>;
  /** Sees every text field as it arrives (receiveSubmissionForm's onField). */
  readonly onField?: (name: string, value: string) => void;
}

export interface TakenSubmission extends SubmissionForm {
  readonly id: string;
  readonly teamId: number;
}

/**
 * One upload, from the multipart form to a recorded submission with its queued job: shared by `POST
 * /api/submissions` and the web form. The quota is checked before the file is read (a refused upload
 * stores nothing) and again in the transaction that records it (two uploads racing at quota - 1 cannot
 * both pass). A team over its cap of refused uploads (refusal-limit.ts) is refused before the quota, and every
 * refusal that is the file's fault counts towards that cap.
 */
export async function takeSubmission(deps: SubmissionIntakeDeps, args: TakeSubmissionArgs): Promise<TakenSubmission> {
  const { db, store, tracks, now, quota, refusals } = deps;
  const id = newSubmissionId();
  let teamId: number | undefined;
  try {
    const taken = await receive();
    deps.metrics?.uploadBytes.observe(taken.accepted.bytes);
    logOf(args.req)?.info(
      { submissionId: taken.id },
      `submission ${taken.id} accepted (${taken.track.name}, team id ${taken.teamId}, ${taken.accepted.format}, ${taken.accepted.bytes} bytes)`,
    );
    return taken;
  } catch (e) {
    if (teamId !== undefined) refusals?.record(teamId, e, now());
    throw e;
  }

  async function receive(): Promise<TakenSubmission> {
    const form = await receiveSubmissionForm({
      req: args.req,
      tracks,
      store,
      isReferenced: (sha256) => isArtifactReferenced(db, sha256),
      ...(deps.modelCheck !== undefined ? { check: deps.modelCheck } : {}),
      ...(args.extraFields !== undefined ? { extraFields: args.extraFields } : {}),
      ...(args.onField !== undefined ? { onField: args.onField } : {}),
      beforeFile: async (track, extras) => {
        const team = await args.teamFor(track, extras);
        refusals?.check(team, now());
        await checkTeamActive(db, team);
        teamId = team;
        const at = now();
        const placed = uploadPhase(await readPhases(db), track.name, at);
        await checkQuota(db, quota, { teamId, track: track.name }, at, { phase: placed?.phase ?? null });
      },
      record: async (f) => {
        // Again when the file has arrived: a phase may have closed during a long upload.
        const at = now();
        const team = teamId!;
        const subject = { teamId: team, track: f.track.name };
        const placed = uploadPhase(await readPhases(db), f.track.name, at);
        const submission = {
          id,
          teamId: team,
          track: f.track,
          description: f.description,
          accepted: f.accepted,
          phase: placed?.phase.name ?? null,
          round: placed?.round?.name ?? null,
        };
        return recordSubmission(db, submission, at, (tx) => checkQuota(tx, quota, subject, at, { lock: true, phase: placed?.phase ?? null }));
      },
    });
    return { ...form, id, teamId: teamId! };
  }
}
