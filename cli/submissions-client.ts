import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { LpcvError } from '../errors/lpcv-error.js';
import { apiUrl, codedError, errorOfAnswer, isNetworkError, notTheApi, parseJson, unreachable } from './server-api.js';

/**
 * The participant's side of the Submissions API (docs/api.md): upload a model (or name a compile job shared on
 * Qualcomm AI Hub), read a submission's status.
 *
 * The upload is a multipart body written by hand onto node:http, the file streamed from disk, because
 * fetch cannot do what an upload needs here: the server refuses a bad upload (unknown track, over the
 * quota, too large) as soon as it knows, answers, and closes the connection without reading the rest. fetch
 * (undici) then fails the whole request with EPIPE and the answer is lost; so does node:http when the
 * closing connection's reset arrives before its answer has been read. When the connection breaks before
 * any answer, the same form is sent again with an empty file (a refusal that stores and counts nothing):
 * its answer names the problem, and when it is only the empty file (LPCV_E_MODEL_EMPTY) the token, track,
 * quota and description were fine, so the server stopped reading for the one reason it does that mid-file,
 * the track's size limit.
 */

/** A connection with no progress (no byte sent or received) for this long is given up. */
const IDLE_TIMEOUT_MS = 60_000;
/** A status read is small: it answers in well under this or the server is not well. */
const GET_TIMEOUT_MS = 30_000;

/** What every submission form carries besides the model. */
interface FormArgs {
  readonly server: URL;
  readonly token: string;
  readonly track: string;
  readonly description?: string;
}

export interface UploadArgs extends FormArgs {
  /** The model file, and its size (stat'ed by the caller: it sets Content-Length). */
  readonly file: string;
  readonly bytes: number;
  /** The file name the server records, for display only. */
  readonly filename: string;
}

export interface AihubJobArgs extends FormArgs {
  /** The compile job's id on Qualcomm AI Hub (its shape checked by the caller). */
  readonly jobId: string;
}

/** A file part of the form: its path (none: an empty file), size and the name the server records. */
interface FilePart {
  readonly path: string | undefined;
  readonly bytes: number;
  readonly filename: string;
}

/** The answer of GET /api/submissions/:id (docs/api.md). */
export interface SubmissionView {
  readonly id: string;
  readonly status: string;
  readonly track: string;
  readonly createdAt: number;
  readonly result?: unknown;
  readonly error?: { readonly code: string; readonly message: string };
}

interface HttpAnswer {
  readonly status: number;
  readonly contentType: string | undefined;
  readonly text: string;
}

/** The connection broke before the server answered. */
class UploadBroke extends Error {
  constructor(
    readonly connected: boolean,
    readonly sentBytes: number,
    override readonly cause: unknown,
  ) {
    super(cause instanceof Error ? cause.message : String(cause));
  }
}

/** POST /api/submissions: answers the new submission's id. */
export async function uploadSubmission(a: UploadArgs): Promise<string> {
  const url = apiUrl(a.server, 'api/submissions');
  const what = `uploading ${a.filename}`;
  let answer: HttpAnswer;
  try {
    answer = await postForm(url, a, [], { path: a.file, bytes: a.bytes, filename: a.filename });
  } catch (e) {
    if (!(e instanceof UploadBroke)) throw e;
    if (!e.connected || !isResetByPeer(e.cause)) throw unreachable(e.cause, what, a.server);
    throw await whyRefused(url, a, e);
  }
  return submissionIdOf(answer, what);
}

/** POST /api/submissions with `aihubJob` instead of a file: answers the new submission's id. */
export async function submitAihubJob(a: AihubJobArgs): Promise<string> {
  const what = `submitting AI Hub compile job ${a.jobId}`;
  let answer: HttpAnswer;
  try {
    // A few hundred bytes in one write: the server reads it all before it answers, so no retry is needed.
    answer = await postForm(apiUrl(a.server, 'api/submissions'), a, [['aihubJob', a.jobId]], undefined);
  } catch (e) {
    if (!(e instanceof UploadBroke)) throw e;
    throw unreachable(e.cause, what, a.server);
  }
  return submissionIdOf(answer, what);
}

/** The id of a 201 answer; any other answer as its coded error. */
function submissionIdOf(answer: HttpAnswer, what: string): string {
  if (answer.status !== 201) throw errorOfAnswer(answer.status, answer.contentType, answer.text, what);
  const body = parseJson(answer.text);
  const id = typeof body === 'object' && body !== null ? (body as { id?: unknown }).id : undefined;
  if (typeof id !== 'string' || id === '') throw notTheApi(answer.status, answer.contentType, answer.text, what);
  return id;
}

/** After a connection the server cut mid-upload: the same form with an empty file tells why. */
async function whyRefused(url: URL, a: UploadArgs, broke: UploadBroke): Promise<LpcvError> {
  const what = `uploading ${a.filename}`;
  let probe: HttpAnswer;
  try {
    probe = await postForm(url, a, [], { path: undefined, bytes: 0, filename: a.filename });
  } catch (e) {
    return unreachable(e instanceof UploadBroke ? e.cause : e, what, a.server);
  }
  const error = errorOfAnswer(probe.status, probe.contentType, probe.text, what);
  if (probe.status === 201) {
    return new LpcvError('LPCV_E_SERVER_RESPONSE', `${what}: the server closed the connection part-way, then accepted an empty file`);
  }
  if (error.code !== 'LPCV_E_MODEL_EMPTY') return error;
  return new LpcvError(
    'LPCV_E_MODEL_TOO_LARGE',
    `the server stopped reading ${a.filename} (${a.bytes.toLocaleString('en-US')} bytes) after ${broke.sentBytes.toLocaleString('en-US')} bytes were sent and closed the connection; ` +
      `it accepts the token and the track, so the file is most likely over the track's size limit (limits.maxArtifactBytes)`,
  );
}

/** ECONNRESET/EPIPE: the server closed the connection while the body was still being sent. */
function isResetByPeer(e: unknown): boolean {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ECONNRESET' || code === 'EPIPE';
}

/**
 * The form in the API's order: `track`, `description`, the model's other fields, then `file` when there is
 * one (the track must come first: its size limit applies while the file streams in). Resolves with the
 * answer, even when it came before the whole body was sent; rejects with UploadBroke when the connection
 * fails before any answer.
 */
function postForm(url: URL, a: FormArgs, modelFields: readonly [string, string][], file: FilePart | undefined): Promise<HttpAnswer> {
  const boundary = `----lpcv-${randomBytes(16).toString('hex')}`;
  const fields: [string, string][] = [['track', a.track]];
  if (a.description !== undefined) fields.push(['description', a.description]);
  fields.push(...modelFields);
  const fieldParts = fields.map(([name, value]) => `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`).join('');
  const fileHead =
    file === undefined
      ? ''
      : `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${escapeQuoted(file.filename)}"\r\nContent-Type: application/octet-stream\r\n\r\n`;
  const head = Buffer.from(fieldParts + fileHead, 'utf8');
  const tail = Buffer.from(`${file === undefined ? '' : '\r\n'}--${boundary}--\r\n`, 'utf8');
  const fileBytes = file?.bytes ?? 0;
  const client = url.protocol === 'https:' ? https : http;

  return new Promise<HttpAnswer>((resolve, reject) => {
    let connected = false;
    let answered = false;
    let sent = 0;
    const req = client.request(url, {
      method: 'POST',
      agent: false,
      headers: {
        authorization: `Bearer ${a.token}`,
        'content-type': `multipart/form-data; boundary=${boundary}`,
        'content-length': String(head.length + fileBytes + tail.length),
        accept: 'application/json',
        connection: 'close',
      },
    });
    const source = file?.path !== undefined && file.bytes > 0 ? createReadStream(file.path, { start: 0, end: file.bytes - 1 }) : undefined;
    req.on('socket', (socket) => {
      if (!socket.connecting) connected = true;
      socket.once('connect', () => (connected = true));
    });
    req.setTimeout(IDLE_TIMEOUT_MS, () => req.destroy(Object.assign(new Error(`no progress for ${IDLE_TIMEOUT_MS / 1000} s`), { name: 'TimeoutError' })));
    req.on('error', (e) => {
      source?.destroy();
      if (!answered) reject(new UploadBroke(connected, sent, e));
    });
    req.on('response', (res) => {
      answered = true;
      // The rest of the file is not wanted any more.
      if (source !== undefined) {
        source.unpipe(req);
        source.destroy();
      }
      const chunks: Buffer[] = [];
      const finish = (): void => {
        resolve({ status: res.statusCode ?? 0, contentType: res.headers['content-type'], text: Buffer.concat(chunks).toString('utf8') });
        req.destroy();
      };
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', finish);
      // A cut-off answer is judged on what arrived (not JSON: LPCV_E_SERVER_RESPONSE).
      res.on('error', finish);
      res.on('aborted', finish);
    });
    if (source === undefined) {
      // One write: the whole small request goes out at once, before the server can answer and close.
      req.end(Buffer.concat([head, tail]));
      return;
    }
    req.write(head);
    source.on('data', (chunk) => (sent += chunk.length));
    source.on('error', (e) => {
      req.destroy();
      reject(new LpcvError('LPCV_E_USAGE', `cannot read ${file?.path}: ${e.message}`));
    });
    source.on('end', () => {
      if (!answered) req.end(tail);
    });
    source.pipe(req, { end: false });
  });
}

/** A quoted multipart parameter: quotes and line breaks percent-encoded, as browsers do. */
function escapeQuoted(value: string): string {
  return value.replace(/"/g, '%22').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** GET /api/submissions/:id. */
export async function getSubmission(server: URL, token: string, id: string): Promise<SubmissionView> {
  const what = `reading submission ${id}`;
  let res: Response;
  let text: string;
  try {
    res = await fetch(apiUrl(server, `api/submissions/${encodeURIComponent(id)}`), {
      headers: { authorization: `Bearer ${token}`, accept: 'application/json' },
      signal: AbortSignal.timeout(GET_TIMEOUT_MS),
    });
    text = await res.text();
  } catch (e) {
    if (isNetworkError(e)) throw unreachable(e, what, server);
    throw e;
  }
  const contentType = res.headers.get('content-type') ?? undefined;
  if (res.status !== 200) throw errorOfAnswer(res.status, contentType, text, what);
  const body = parseJson(text) as Partial<SubmissionView> | undefined;
  if (typeof body !== 'object' || body === null || typeof body.status !== 'string' || body.id !== id) throw notTheApi(res.status, contentType, text, what);
  return body as SubmissionView;
}

/** A failed submission's error (`{code, message}`) as the LpcvError the command exits with. */
export function errorOfFailedSubmission(view: SubmissionView): LpcvError {
  const prefix = `submission ${view.id} failed: `;
  return codedError(view.error, prefix) ?? new LpcvError('LPCV_E_SERVER_RESPONSE', `${prefix}the server gave no error code for it`);
}
