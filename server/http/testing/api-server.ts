/**
 * For the submissions API's HTTP tests (not used by the server): the test server (test-server.ts) with
 * admin access, the fashion-mnist track and a copy of it whose size limit is tiny; two teams and an agent.
 */
import { resolveTrack } from '../../../harness/tracks/load-track.js';
import type { Track } from '../../../harness/tracks/track.js';
import { createAgent, createTeam, type CreatedOwner } from '../../auth/index.js';
import type { TestDatabase } from '../../db/testing/databases.js';
import { startTestServer, T0, type TestServer } from './test-server.js';

/** The tiny-limit track: fashion-mnist with room for 100 bytes. */
export const TINY_LIMIT_BYTES = 100;

export interface TestApi extends TestServer {
  readonly teamA: CreatedOwner;
  readonly teamB: CreatedOwner;
  readonly agent: CreatedOwner;
}

export async function startTestApi(database: TestDatabase, prefix: string): Promise<TestApi> {
  const fashion = resolveTrack('fashion-mnist');
  const tiny: Track = { ...fashion, name: 'tiny-limit', limits: { ...fashion.limits, maxArtifactBytes: TINY_LIMIT_BYTES } };
  const server = await startTestServer({ database, tracks: [fashion, tiny], admin: true });
  return {
    ...server,
    teamA: await createTeam(server.db, `${prefix}-a`, T0),
    teamB: await createTeam(server.db, `${prefix}-b`, T0),
    agent: await createAgent(server.db, `${prefix}-agent`, T0),
  };
}

export interface Part {
  readonly name: string;
  readonly value: string | Uint8Array;
  /** Sends the part as a file with this name. */
  readonly filename?: string;
}

/** POST /api/submissions with the parts in this order (FormData keeps it). */
export function postSubmission(api: { readonly url: string }, parts: readonly Part[], token?: string): Promise<Response> {
  const form = new FormData();
  for (const p of parts) {
    if (p.filename !== undefined || typeof p.value !== 'string') form.append(p.name, new Blob([p.value]), p.filename ?? 'upload');
    else form.append(p.name, p.value);
  }
  return fetch(`${api.url}/api/submissions`, { method: 'POST', body: form, headers: token === undefined ? {} : { authorization: `Bearer ${token}` } });
}

export function getSubmission(api: { readonly url: string }, id: string, token?: string): Promise<Response> {
  return fetch(`${api.url}/api/submissions/${encodeURIComponent(id)}`, { headers: token === undefined ? {} : { authorization: `Bearer ${token}` } });
}

export interface SubmissionRow {
  id: string;
  team_id: number;
  track: string;
  split: string;
  sha256: string;
  bytes: number;
  format: string;
  filename: string | null;
  description: string;
  job_id: number;
  created_at: number;
}
