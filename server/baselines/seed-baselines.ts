import { createReadStream, existsSync } from 'node:fs';
import path from 'node:path';
import { LpcvError } from '../../errors/lpcv-error.js';
import type { Track } from '../../harness/tracks/track.js';
import { acceptSubmission } from '../../submissions/intake/accept-submission.js';
import { fileSha256 } from '../../submissions/store/artifact-hash.js';
import type { ArtifactStore } from '../../submissions/store/artifact-store.js';
import { BASELINE_TEAM_NAME } from '../db/migrations/0005-leaderboard.js';
import type { Db } from '../db/index.js';
import { isArtifactReferenced, newSubmissionId, recordSubmission } from '../submissions/submissions-table.js';
import { submissionSplit } from '../../harness/tracks/split-policy.js';
import { TASK_NAMES } from '../../harness/tasks/task-catalog.js';

export interface SeededBaseline {
  readonly track: string;
  readonly name: string;
  readonly submissionId: string;
}

/**
 * Queues every baseline the tracks list (track.json `baselines`) that is not yet submitted with these very
 * bytes on the track's leaderboard split: on the first start all of them, later only those whose file
 * changed (the leaderboard then shows a baseline's latest entry). Each goes through the same intake as an
 * upload (stored by sha256, validated like `lpcv validate`) and is recorded for the reserved team
 * `baseline`, outside any quota. A listed file that is missing or does not fit its track stops the start
 * with a message naming the track file and the baseline: it is the organizers' configuration. Tracks are taken
 * in the catalog's task order (classification first: its baselines are the quickest to run, so a fresh
 * server's first board fills first), in their given order within a task.
 */
export async function seedBaselines(db: Db, store: ArtifactStore, tracks: Iterable<Track>, now: () => number): Promise<SeededBaseline[]> {
  const team = (await db('teams').where('name', BASELINE_TEAM_NAME).first('id')) as { id: number } | undefined;
  if (team === undefined) throw new LpcvError('LPCV_E_INTERNAL', `the reserved team ${BASELINE_TEAM_NAME} is missing (migration 0005)`);
  const seeded: SeededBaseline[] = [];
  const byTask = [...tracks].sort((a, b) => TASK_NAMES.indexOf(a.task) - TASK_NAMES.indexOf(b.task));
  for (const track of byTask) {
    const split = submissionSplit(track);
    for (const [i, b] of (track.baselines ?? []).entries()) {
      const where = `${track.file}: baselines.${i} (${b.name})`;
      const file = path.resolve(track.dir, b.file);
      if (!existsSync(file)) throw new LpcvError('LPCV_E_TRACK_INVALID', `${where}: the file ${file} does not exist`);
      const sha256 = await fileSha256(file);
      const already = await db('submissions').where({ team_id: team.id, track: track.name, split, baseline_name: b.name, sha256 }).first('id');
      if (already !== undefined) continue;
      const id = newSubmissionId();
      try {
        await acceptSubmission({
          store,
          track,
          upload: createReadStream(file),
          filename: path.basename(file),
          isReferenced: (h) => isArtifactReferenced(db, h),
          onAccepted: (accepted) =>
            recordSubmission(db, { id, teamId: team.id, track, description: b.description ?? `baseline ${b.name}`, accepted, baselineName: b.name }, now()),
        });
      } catch (e) {
        if (e instanceof LpcvError && e.fault === 'submission') throw new LpcvError('LPCV_E_TRACK_INVALID', `${where}: the baseline does not fit the track: ${e.code}: ${e.message}`);
        throw e;
      }
      seeded.push({ track: track.name, name: b.name, submissionId: id });
    }
  }
  return seeded;
}
