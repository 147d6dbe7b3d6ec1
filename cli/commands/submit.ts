import { statSync } from 'node:fs';
import path from 'node:path';
import { LpcvError } from '../../errors/lpcv-error.js';
import type { ResultRecord } from '../../harness/result-record.js';
import { ms, num, pct } from '../format.js';
import { parseServerUrl, resolveToken } from '../server-api.js';
import { checkAihubJobId } from '../../submissions/aihub/aihub-job-artifact.js';
import { errorOfFailedSubmission, getSubmission, submitAihubJob, uploadSubmission, type SubmissionView } from '../submissions-client.js';

export const TEAM_TOKEN_ENV = 'LPCV_TOKEN';

export interface SubmitCliOptions {
  track: string;
  server: string;
  token?: string;
  tokenFile?: string;
  description?: string;
  /** A compile job shared on Qualcomm AI Hub, submitted instead of a model file. */
  aihubJob?: string;
  wait?: boolean;
  json?: boolean;
  /** How often --wait reads the status (ms). */
  pollMs: number;
}

/** While waiting, the server may be away this long (a restart) before the command gives up. */
const UNREACHABLE_PATIENCE_MS = 60_000;

/**
 * `lpcv submit <file> --track <t> --server <url>` (or `--aihub-job <id>` instead of the file): uploads a model
 * to a competition server (docs/api.md, POST /api/submissions) and prints the submission's id; with --wait,
 * follows it until it is done (prints the result record) or failed (exits with the code of the server's
 * error, as `lpcv score` would have). Everything that can be checked here is checked before the first request.
 */
export async function submitCommand(file: string | undefined, o: SubmitCliOptions): Promise<number> {
  if (file !== undefined && o.aihubJob !== undefined) throw new LpcvError('LPCV_E_USAGE', 'give a model file or --aihub-job <id>, not both');
  if (file === undefined && o.aihubJob === undefined)
    throw new LpcvError('LPCV_E_USAGE', 'give a model file, or --aihub-job <id> for a compile job shared on AI Hub');
  if (o.aihubJob !== undefined) checkAihubJobId(o.aihubJob);
  const server = parseServerUrl(o.server);
  const token = resolveToken(o, TEAM_TOKEN_ENV);
  const form = { server, token, track: o.track, ...(o.description !== undefined ? { description: o.description } : {}) };
  let id: string;
  let what: string;
  if (o.aihubJob !== undefined) {
    id = await submitAihubJob({ ...form, jobId: o.aihubJob });
    what = `AI Hub compile job ${o.aihubJob}`;
  } else {
    const model = file!; // one of the two was given (checked above)
    const bytes = fileSize(model);
    const filename = path.basename(model);
    id = await uploadSubmission({ ...form, file: model, bytes, filename });
    what = `${filename} (${bytes.toLocaleString('en-US')} bytes)`;
  }
  if (!o.wait) {
    process.stderr.write(`lpcv: submitted ${what} to track ${o.track} on ${server.origin}: submission ${id}\n`);
    process.stdout.write(o.json ? `${JSON.stringify({ id })}\n` : `${id}\n`);
    return 0;
  }
  process.stderr.write(`lpcv: submitted ${what} as submission ${id}; waiting for its result (Ctrl-C stops waiting, not the submission)\n`);
  const view = await waitFinished(server, token, id, o.pollMs);
  if (view.status === 'failed') throw errorOfFailedSubmission(view);
  if (view.result === undefined || typeof view.result !== 'object' || view.result === null) {
    throw new LpcvError('LPCV_E_SERVER_RESPONSE', `submission ${id} is done but the server sent no result record`);
  }
  process.stdout.write(o.json ? `${JSON.stringify(view.result)}\n` : `${formatResult(id, view.result as Partial<ResultRecord>)}\n`);
  return 0;
}

/** The model file's size; a missing file (or a folder) fails before any request. */
function fileSize(file: string): number {
  let stat;
  try {
    stat = statSync(file);
  } catch {
    throw new LpcvError('LPCV_E_FILE_NOT_FOUND', `model file not found: ${file}`);
  }
  if (!stat.isFile()) throw new LpcvError('LPCV_E_USAGE', `${file} is not a file`);
  return stat.size;
}

/**
 * Polls GET /api/submissions/:id until done or failed, printing each status change on stderr. A server
 * that is away for a while (restarting, a proxy answering 502-504) is waited for, up to a minute at a stretch.
 */
async function waitFinished(server: URL, token: string, id: string, pollMs: number): Promise<SubmissionView> {
  let shown = '';
  let awaySince: number | undefined;
  for (;;) {
    let view: SubmissionView | undefined;
    try {
      view = await getSubmission(server, token, id);
      if (awaySince !== undefined) process.stderr.write(`lpcv: the server answers again\n`);
      awaySince = undefined;
    } catch (e) {
      if (!isTransient(e)) throw e;
      awaySince ??= Date.now();
      if (Date.now() - awaySince > UNREACHABLE_PATIENCE_MS) {
        throw new LpcvError(
          e.code,
          `${e.message}; gave up waiting after ${UNREACHABLE_PATIENCE_MS / 1000} s (submission ${id} was accepted: its result stays on the server)`,
        );
      }
      if (shown !== 'away') process.stderr.write(`lpcv: ${e.message}; trying again\n`);
      shown = 'away';
    }
    if (view !== undefined) {
      if (view.status !== shown) process.stderr.write(`lpcv: submission ${id}: ${view.status}\n`);
      shown = view.status;
      if (view.status === 'done' || view.status === 'failed') return view;
    }
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}

function isTransient(e: unknown): e is LpcvError {
  if (!(e instanceof LpcvError)) return false;
  if (e.code === 'LPCV_E_SERVER_UNREACHABLE') return true;
  const status = e.detail?.status;
  return status === 502 || status === 503 || status === 504;
}

/** The result record in a few lines (--json prints it whole, the same record as `lpcv score --json`). */
export function formatResult(id: string, r: Partial<ResultRecord>): string {
  const lines = [`submission ${id} done: track ${r.track ?? '?'}, split ${r.split ?? '?'}`];
  if (r.model) lines.push(`model     ${r.model.format}, ${r.model.bytes.toLocaleString('en-US')} bytes, sha256 ${r.model.sha256}`);
  if (r.target) lines.push(`target    ${r.target.kind} ${r.target.device}: ${r.target.runtime}, ${r.target.threads} thread(s)`);
  if (r.accuracy)
    lines.push(
      `accuracy  ${Object.entries(r.accuracy)
        .map(([k, v]) => `${k} ${pct(v)}`)
        .join(', ')}`,
    );
  const l = r.latency;
  if (l) lines.push(`latency   median ${ms(l.p50)} ms, mean ${ms(l.mean)} ms per image (${l.count.toLocaleString('en-US')} timed runs)`);
  lines.push(
    r.energy
      ? `energy    ${num(r.energy.joules)} J, ${num(r.energy.avgWatts)} W average (${r.energy.source})`
      : `energy    not measured: ${r.energyNote ?? 'no sensor'}`,
  );
  const s = r.score;
  if (s) lines.push(`score     ${num(s.value)}  (${s.formula} v${s.version}${s.qualified ? '' : ', not qualified'}${s.reason ? `: ${s.reason}` : ''})`);
  return lines.join('\n');
}
