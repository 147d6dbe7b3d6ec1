import type { ReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import path from 'node:path';
import { LpcvError } from '../../errors/lpcv-error.js';
import type { Track } from '../../harness/tracks/track.js';
import type { LeaseAnswerArgs } from '../../harness/wire/index.js';
import { acceptSubmission } from '../../submissions/intake/accept-submission.js';
import type { ArtifactStore } from '../../submissions/store/artifact-store.js';
import type { Db } from '../db/index.js';
import { isArtifactReferenced } from '../submissions/submissions-table.js';

/** A track's reference model as the artifact store holds it: what the lease answer tells agents (leaseAnswer). */
export type ReferenceModel = NonNullable<LeaseAnswerArgs['reference']>;

/** The stored reference model of each track that names one (`protocol.reference`), by track name. */
export type ReferenceModels = ReadonlyMap<string, ReferenceModel>;

/**
 * Puts the reference model of every track that names one (`protocol.reference`, a baseline of the track;
 * docs/protocol.md) into the artifact store, so that `GET /api/artifacts/<sha256>` serves it to the agents
 * that time it beside each submission. Done at every start, whether or not baselines are seeded: storing
 * bytes that are already there keeps the file as it is.
 *
 * The file goes through the same intake as an upload (and as a seeded baseline): the track's size limit and
 * `lpcv validate`'s checks, so that a reference that does not fit its track stops the start here instead of
 * failing every job on the devices. A file that cannot be read, does not fit, or cannot be written is
 * LPCV_E_TRACK_INVALID naming the track file, the baseline and the file: it is the organizers' configuration
 * (as seed-baselines.ts treats a baseline's file), and the message carries the cause (a full disk included).
 *
 * Each stored hash is held in the store for as long as this process runs: a team's rejected upload of the
 * same bytes must not delete a file every job's lease points at (the store removes a rejected upload's bytes
 * unless a submission row uses them, and with `--no-baselines` none does).
 */
export async function storeReferenceModels(db: Db, store: ArtifactStore, tracks: Iterable<Track>): Promise<Map<string, ReferenceModel>> {
  const stored = new Map<string, ReferenceModel>();
  for (const track of tracks) {
    const name = track.protocol.reference;
    if (name === undefined) continue;
    // load-track.ts has checked that the name is a baseline's and that its file existed then.
    const baseline = (track.baselines ?? []).find((b) => b.name === name);
    const file = baseline === undefined ? undefined : path.resolve(track.dir, baseline.file);
    const where = `${track.file}: protocol.reference (${name})`;
    if (file === undefined) throw new LpcvError('LPCV_E_TRACK_INVALID', `${where}: names no baseline of the track`);
    let upload: ReadStream | undefined;
    try {
      // Opened here, so that a file that cannot be read fails this call instead of an unheard stream event.
      upload = (await open(file, 'r')).createReadStream();
      const accepted = await acceptSubmission({ store, track, upload, filename: path.basename(file), isReferenced: (h) => isArtifactReferenced(db, h) });
      store.hold(accepted.sha256);
      stored.set(track.name, { name, sha256: accepted.sha256, bytes: accepted.bytes, format: accepted.format });
    } catch (e) {
      const cause = e instanceof LpcvError ? `${e.code}: ${e.message}` : e instanceof Error ? e.message.split('\n')[0] : String(e);
      const what = e instanceof LpcvError && e.fault === 'submission' ? 'does not fit the track' : 'cannot be stored';
      throw new LpcvError('LPCV_E_TRACK_INVALID', `${where}: the reference model ${file} ${what}: ${cause}`, { file: track.file, reference: name, model: file });
    } finally {
      // The intake leaves a stream it stopped reading (past the size limit) to its owner; this closes the file.
      upload?.destroy();
    }
  }
  return stored;
}
