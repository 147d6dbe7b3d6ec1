/**
 * Taking one uploaded model: stream it into the artifact store under the track's size limit, then sniff and
 * validate the stored file with the same code as `lpcv validate`. A rejected upload leaves nothing behind
 * (unless the same bytes already belong to another submission) and throws the first problem as an
 * LpcvError whose code carries the HTTP status.
 */
import type { Readable } from 'node:stream';
import type { ModelRequirements } from '../validate/model-requirements.js';
import type { ModelFormat } from '../model-format.js';
import { inlineModelCheck, type ModelCheck } from '../validate/check-pool.js';
import type { ValidationReport } from '../validate/validate-model.js';
import { LpcvError } from '../../errors/lpcv-error.js';
import type { ArtifactStore } from '../store/artifact-store.js';
import { sanitiseFilename } from './sanitise-filename.js';

export interface AcceptSubmissionInput {
  store: ArtifactStore;
  track: ModelRequirements;
  upload: Readable;
  /** The client's name for the file: only recorded (sanitised), never used as a path. */
  filename?: string;
  /** Whether a submission already recorded uses this artifact; a rejected upload's bytes are then kept. */
  isReferenced: (sha256: string) => Promise<boolean>;
  /**
   * Records the accepted submission (e.g. inserts its row and queues its job) while the artifact is still
   * held, so that a concurrent rejected upload of the same bytes cannot delete it in between. If it throws,
   * the artifact is removed like a rejected one (unless referenced) and the error is rethrown.
   */
  onAccepted?: (accepted: AcceptedSubmission) => Promise<void>;
  /** How the stored file is checked (default: on this thread; the server uses its ModelCheckPool's). */
  check?: ModelCheck;
}

export interface AcceptedSubmission {
  sha256: string;
  bytes: number;
  format: ModelFormat;
  /** The sanitised client file name, or null when none (or nothing usable) was given. */
  filename: string | null;
  /** The validation report: `ok` is true; warnings for the participant; `model.path` is a server path. */
  validation: ValidationReport;
}

export async function acceptSubmission(input: AcceptSubmissionInput): Promise<AcceptedSubmission> {
  const { store, track, upload, isReferenced, onAccepted } = input;
  const filename = sanitiseFilename(input.filename) || null;
  let release = (): void => {};
  try {
    const stored = await store.putStream(upload, {
      maxBytes: track.limits.maxArtifactBytes,
      onHashed: (sha256) => {
        release = store.hold(sha256);
      },
    });
    let accepted: AcceptedSubmission;
    try {
      accepted = await checkStored(input.check ?? inlineModelCheck, stored.path, stored.sha256, stored.bytes, track, filename);
      await onAccepted?.(accepted);
    } catch (e) {
      release();
      await discardUnlessUsed(store, stored.sha256, isReferenced);
      throw e;
    }
    return accepted;
  } finally {
    release();
  }
}

async function checkStored(
  check: ModelCheck,
  file: string,
  sha256: string,
  bytes: number,
  track: ModelRequirements,
  filename: string | null,
): Promise<AcceptedSubmission> {
  const report = withDisplayName(await check(file, track), file, filename ?? 'the upload');
  if (report.model.sha256 !== sha256) {
    // The file changed between storing and reading it: not the participant's doing.
    throw new LpcvError('LPCV_E_ARTIFACT_CORRUPT', `artifact ${sha256} read back with hash ${report.model.sha256}`);
  }
  const first = report.problems[0];
  if (first) throw new LpcvError(first.code, first.message, { problems: report.problems });
  if (report.model.format === 'unknown') throw new LpcvError('LPCV_E_INTERNAL', 'validation passed a file of unknown format');
  return { sha256, bytes, format: report.model.format, filename, validation: report };
}

/** The validator names the file it read: the store's path. People see their own file name instead. */
function withDisplayName(report: ValidationReport, file: string, shown: string): ValidationReport {
  const swap = (text: string): string => text.split(report.model.path).join(shown).split(file).join(shown);
  return {
    ...report,
    problems: report.problems.map((p) => ({ ...p, message: swap(p.message) })),
    warnings: report.warnings.map(swap),
  };
}

/**
 * Removes the artifact unless a recorded submission uses it or another upload in flight holds it. If that
 * cannot be decided (the database is down), the bytes stay: an unreferenced file is harmless, a deleted
 * referenced one is not. The caller rethrows the error that made the upload fail either way.
 */
async function discardUnlessUsed(store: ArtifactStore, sha256: string, isReferenced: (sha256: string) => Promise<boolean>): Promise<void> {
  try {
    await store.removeUnlessUsed(sha256, isReferenced);
  } catch {
    // Keep the artifact; see above.
  }
}
