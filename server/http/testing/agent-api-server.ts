/**
 * For the agent API's HTTP tests (not used by the server): the test server (test-server.ts) with the agent
 * API mounted and one track (fashion-mnist unless told; others beside it when asked); a team, two agents.
 * Quotas are off (the tests submit many times).
 */
import { resolveTrack } from '../../../harness/tracks/load-track.js';
import type { Track } from '../../../harness/tracks/track.js';
import { createAgent, createTeam, type CreatedOwner } from '../../auth/index.js';
import type { TestDatabase } from '../../db/testing/databases.js';
import { UNLIMITED_QUOTA } from '../../quota/index.js';
import { startTestServer, T0, type TestServer, type TestServerOptions } from './test-server.js';

export interface AgentTestApi extends TestServer {
  /** The track the suite submits to. */
  readonly track: Track;
  readonly team: CreatedOwner;
  readonly agentA: CreatedOwner;
  readonly agentB: CreatedOwner;
}

export interface AgentTestApiOptions extends Pick<TestServerOptions, 'references' | 'baselineTrials'> {
  /** Tracks served besides `served` (e.g. with target kinds of their own, for a test's own devices). */
  readonly otherTracks?: readonly Track[];
}

/** `served`: the track the suite submits to (default fashion-mnist). */
export async function startAgentTestApi(database: TestDatabase, prefix: string, served?: Track, options: AgentTestApiOptions = {}): Promise<AgentTestApi> {
  const track = served ?? resolveTrack('fashion-mnist');
  const { otherTracks = [], ...more } = options;
  const server = await startTestServer({ database, tracks: [track, ...otherTracks], quota: UNLIMITED_QUOTA, agentApi: true, ...more });
  return {
    ...server,
    track,
    team: await createTeam(server.db, `${prefix}-team`, T0),
    agentA: await createAgent(server.db, `${prefix}-agent-a`, T0),
    agentB: await createAgent(server.db, `${prefix}-agent-b`, T0),
  };
}
