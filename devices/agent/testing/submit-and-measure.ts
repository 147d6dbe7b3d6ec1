/**
 * For the end-to-end tests over HTTP (not used by the harness): upload a file as the test API's team, run a
 * real agent with one device until the submission is done or failed, and answer its status body with the
 * agent's log.
 */
import path from 'node:path';
import type { ResultRecord } from '../../../harness/result-record.js';
import type { AgentTestApi } from '../../../server/http/testing/agent-api-server.js';
import type { SubmissionBody } from '../../../server/http/submissions-routes.js';
import type { Target } from '../../targets/target.js';
import { runAgent } from '../run-agent.js';

export interface MeasuredSubmission {
  readonly httpStatus: number;
  /** The submission's id (none when the upload was refused). */
  readonly id?: string;
  readonly status: string;
  readonly result?: ResultRecord;
  readonly error?: { code: string; message: string };
  /** The output tails per attempt, as GET /api/submissions/:id shows them. */
  readonly logs?: SubmissionBody['logs'];
  /** The agent's log, for a failing test's message. */
  readonly log: string;
}

export async function submitAndMeasure(
  api: AgentTestApi,
  file: { bytes: Uint8Array; name: string },
  device: Target,
  cacheDir: string,
  track: string = api.track.name,
): Promise<MeasuredSubmission> {
  const form = new FormData();
  form.append('track', track);
  form.append('file', new Blob([file.bytes]), file.name);
  const auth = { authorization: `Bearer ${api.team.token}` };
  const res = await fetch(`${api.url}/api/submissions`, { method: 'POST', body: form, headers: auth });
  if (res.status !== 201) return { httpStatus: res.status, status: 'refused', log: await res.text() };
  const { id } = (await res.json()) as { id: string };
  const stop = new AbortController();
  const lines: string[] = [];
  const agent = runAgent({
    serverUrl: api.url,
    token: api.agentA.token,
    devices: [device],
    cacheDir: path.resolve(cacheDir),
    signal: stop.signal,
    log: (l) => lines.push(l),
    pollMs: 20,
  });
  let body: Omit<MeasuredSubmission, 'httpStatus' | 'log'> = { status: 'queued' };
  try {
    const end = Date.now() + 90_000;
    while (Date.now() < end) {
      body = (await (await fetch(`${api.url}/api/submissions/${id}`, { headers: auth })).json()) as typeof body;
      if (body.status === 'done' || body.status === 'failed') break;
      await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    stop.abort();
    await agent;
  }
  return { httpStatus: 201, ...body, id, log: lines.join('\n') };
}
