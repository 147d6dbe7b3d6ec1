/**
 * Reads a `POST /api/submissions` multipart form with busboy, streaming the file part straight into
 * acceptSubmission (the upload is never buffered whole). The form is `track`, then optionally `description`,
 * then exactly one of `file` and `aihubJob`: the track must come before either, because its size limit and
 * formats apply while the file streams in (LPCV_E_FORM_ORDER otherwise). `aihubJob` is the id of a compile job
 * shared on Qualcomm AI Hub; it is taken like a file whose bytes are the job's reference
 * (submissions/aihub/aihub-job-artifact.ts), so quotas, checks, storage and the queue treat both alike. A file
 * part without a file name is what a browser sends for an empty file input: it is ignored while empty.
 *
 * busboy's own `fileSize` limit stays unlimited on purpose: at its limit busboy does not fail, it ends the
 * file stream early and marks it `truncated`, and the cut-off model would then be judged as a truncated
 * ONNX file (422) instead of too large (413). The store stops reading at the track's `maxArtifactBytes`
 * with LPCV_E_MODEL_TOO_LARGE; a `limit` event is still treated as too large, should anyone set one.
 *
 * The first problem wins. It stops the parser, aborts a file still streaming (its temp file is removed) and
 * waits until acceptSubmission has cleaned up, so that when the reply goes out nothing is left behind; the
 * route then closes the connection rather than reading the rest of a body it will not use.
 */
import type { IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import busboy from 'busboy';
import { LpcvError } from '../../errors/lpcv-error.js';
import type { Track } from '../../harness/tracks/track.js';
import { aihubJobArtifact } from '../../submissions/aihub/aihub-job-artifact.js';
import { acceptSubmission, type AcceptedSubmission } from '../../submissions/intake/accept-submission.js';
import type { ModelCheck } from '../../submissions/validate/check-pool.js';
import type { ArtifactStore } from '../../submissions/store/artifact-store.js';
import { lookUpTrack, type TrackLookup } from '../tracks/track-lookup.js';

/** The longest description kept, in UTF-8 bytes; a longer one is refused (never cut). */
export const MAX_DESCRIPTION_BYTES = 4000;

/** The field that names an AI Hub compile job instead of sending a file. */
export const AIHUB_JOB_FIELD = 'aihubJob';

export interface SubmissionForm {
  readonly track: Track;
  readonly description: string;
  readonly accepted: AcceptedSubmission;
}

export interface ReceiveFormArgs {
  readonly req: IncomingMessage;
  readonly tracks: TrackLookup;
  readonly store: ArtifactStore;
  readonly isReferenced: (sha256: string) => Promise<boolean>;
  /** How the stored file is checked (acceptSubmission's default when absent: on this thread). */
  readonly check?: ModelCheck;
  /**
   * Text fields taken besides track and description (the web form's `_csrf` and `token`); each at most once,
   * at most MAX_DESCRIPTION_BYTES, and only those sent before the file reach `beforeFile`.
   */
  readonly extraFields?: readonly string[];
  /**
   * Runs once the track is known and the file part (or the AI Hub job id) has begun, before a byte of the file
   * is read or stored and before the id is checked (e.g. the quota check). If it throws, the upload is refused
   * with that error and nothing is stored.
   */
  readonly beforeFile?: (track: Track, extras: Readonly<Record<string, string>>) => Promise<void>;
  /** Sees every text field as it arrives, before it is checked (a web form shows them again on an error). */
  readonly onField?: (name: string, value: string) => void;
  /** Records the accepted submission once the whole form has arrived, while its artifact is still held. */
  readonly record: (form: SubmissionForm) => Promise<void>;
}

const formError = (message: string): LpcvError => new LpcvError('LPCV_E_FORM_FIELD', message);
const bothSent = (): LpcvError => formError(`the form has both a "file" and an "${AIHUB_JOB_FIELD}": send exactly one of them`);

export function receiveSubmissionForm(args: ReceiveFormArgs): Promise<SubmissionForm> {
  const { req, tracks, store, isReferenced, beforeFile, record } = args;
  const extraNames = new Set(args.extraFields ?? []);
  const extras: Record<string, string> = {};
  const fieldList = ['track', 'description', ...extraNames, `file or ${AIHUB_JOB_FIELD}`].join(', ');
  return new Promise<SubmissionForm>((resolve, reject) => {
    let parser: busboy.Busboy;
    try {
      parser = busboy({
        headers: req.headers,
        defParamCharset: 'utf8',
        // No `parts` limit: busboy signals it on reaching it, not passing it; fields and files cover it.
        limits: { fields: 3 + extraNames.size, files: 1, fieldSize: MAX_DESCRIPTION_BYTES, fileSize: Number.POSITIVE_INFINITY },
      });
    } catch (e) {
      reject(new LpcvError('LPCV_E_BAD_REQUEST', `expected a multipart/form-data body (${(e as Error).message})`));
      return;
    }

    let track: Track | undefined;
    let description: string | undefined;
    let file: Readable | undefined;
    let aihubJob: string | undefined;
    let acceptance: Promise<unknown> | undefined;
    let firstError: unknown;
    let formEnded = false;
    const formWaiters: Array<() => void> = [];

    const fail = (e: unknown): void => {
      if (firstError !== undefined) return;
      firstError = e;
      req.unpipe(parser);
      if (file !== undefined && !file.destroyed) file.destroy(e instanceof Error ? e : new Error(String(e)));
      for (const wake of formWaiters.splice(0)) wake();
      // Reply only once acceptSubmission has removed whatever it stored.
      void (acceptance ?? Promise.resolve()).catch(() => undefined).then(() => reject(firstError));
    };

    /** Resolves when busboy has read the whole form; throws the form's first error instead. */
    const wholeForm = async (): Promise<void> => {
      if (!formEnded && firstError === undefined) await new Promise<void>((wake) => formWaiters.push(wake));
      if (firstError !== undefined) throw firstError;
    };

    parser.on('field', (name, value, info) => {
      if (firstError !== undefined) return;
      args.onField?.(name, value);
      try {
        if (name === 'track') {
          if (track !== undefined) throw formError('the field "track" was sent twice');
          track = lookUpTrack(tracks, value);
        } else if (name === 'description') {
          if (description !== undefined) throw formError('the field "description" was sent twice');
          if (info.valueTruncated) throw formError(`the description is longer than ${MAX_DESCRIPTION_BYTES} bytes`);
          description = value;
        } else if (name === AIHUB_JOB_FIELD) {
          if (aihubJob !== undefined) throw formError(`the field "${AIHUB_JOB_FIELD}" was sent twice`);
          if (file !== undefined) throw bothSent();
          if (track === undefined) throw new LpcvError('LPCV_E_FORM_ORDER', `the "${AIHUB_JOB_FIELD}" field came before the "track" field: send track first`);
          aihubJob = value;
          // The id is checked after beforeFile, as a file's bytes are: the quota and phase refusals come first.
          accept(track, () => Readable.from([aihubJobArtifact(value)]), `aihub-job-${value}.json`);
        } else if (extraNames.has(name)) {
          if (Object.hasOwn(extras, name)) throw formError(`the field ${JSON.stringify(name)} was sent twice`);
          if (info.valueTruncated) throw formError(`the field ${JSON.stringify(name)} is longer than ${MAX_DESCRIPTION_BYTES} bytes`);
          extras[name] = value;
        } else {
          throw formError(`unknown form field ${JSON.stringify(name)} (fields: ${fieldList})`);
        }
      } catch (e) {
        fail(e);
      }
    });

    parser.on('file', (name, stream, info) => {
      if (firstError !== undefined) {
        stream.resume();
        return;
      }
      if (name === 'file' && !info.filename) return skipBlankFile(stream);
      file = stream;
      // Before any check: fail() destroys this stream with the error, which must not go unhandled.
      stream.on('error', (e: Error) => fail(new LpcvError('LPCV_E_BAD_REQUEST', `the upload broke off: ${e.message}`)));
      if (name !== 'file') return fail(formError(`unknown form field ${JSON.stringify(name)} for a file (the model goes in "file")`));
      if (aihubJob !== undefined) return fail(bothSent());
      if (track === undefined) {
        return fail(new LpcvError('LPCV_E_FORM_ORDER', 'the file came before the "track" field: send track (and description) first, then file'));
      }
      stream.on('limit', () => fail(new LpcvError('LPCV_E_MODEL_TOO_LARGE', `the upload is larger than the server accepts`)));
      accept(track, () => stream, info.filename);
    });

    /** A browser's empty file input (no file name): nothing to take, unless it has bytes after all. */
    function skipBlankFile(stream: Readable): void {
      stream.on('data', (chunk: Buffer) => {
        if (chunk.length > 0) fail(formError('the "file" part has no file name: send the model with its file name'));
      });
      stream.on('error', () => undefined);
    }

    /** Takes the upload (once beforeFile has passed) into the store and records it once the whole form is in. */
    function accept(chosen: Track, upload: () => Readable, filename: string | undefined): void {
      const accepting = (async () => {
        // busboy holds a file part (and pauses the request) until the store reads it.
        await beforeFile?.(chosen, { ...extras });
        if (firstError !== undefined) throw firstError;
        return acceptSubmission({
          store,
          track: chosen,
          upload: upload(),
          ...(filename !== undefined ? { filename } : {}),
          isReferenced,
          ...(args.check !== undefined ? { check: args.check } : {}),
          onAccepted: async (accepted) => {
            await wholeForm();
            await record({ track: chosen, description: description ?? '', accepted });
          },
        });
      })();
      acceptance = accepting;
      accepting.then(
        (accepted) => resolve({ track: chosen, description: description ?? '', accepted }),
        (e: unknown) => fail(e),
      );
    }

    parser.on('filesLimit', () => fail(formError('the form has more than one file: send exactly one, as "file"')));
    parser.on('fieldsLimit', () => fail(formError(`the form has too many fields (fields: ${fieldList})`)));
    parser.on('error', (e: Error) => fail(new LpcvError('LPCV_E_BAD_REQUEST', `malformed multipart form: ${e.message}`)));
    parser.on('close', () => {
      formEnded = true;
      if (file === undefined && aihubJob === undefined) {
        const model = `"file" (or "${AIHUB_JOB_FIELD}")`;
        const missing = track === undefined ? `"track" and ${model}` : model;
        return fail(formError(`the form has no ${missing} field (fields: ${fieldList})`));
      }
      for (const wake of formWaiters.splice(0)) wake();
    });

    req.on('error', (e) => fail(new LpcvError('LPCV_E_BAD_REQUEST', `the request broke off: ${e.message}`)));
    req.on('close', () => {
      if (!req.complete) fail(new LpcvError('LPCV_E_BAD_REQUEST', 'the request broke off before its end'));
    });
    req.pipe(parser);
  });
}
