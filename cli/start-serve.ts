import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { parseDeviceSpec } from '../devices/agent/device-spec.js';
import { makeTarget } from '../devices/agent/make-target.js';
import { runAgentLoop } from '../devices/agent/run-agent-loop.js';
import { LOCAL_AGENT_NAME, localAgentToken } from '../server/serve/local-agent-token.js';
import { startServer, type RunningServer, type ServeOptions } from '../server/serve/start-server.js';

export interface StartServeOptions extends ServeOptions {
  /** Run the in-process desktop agent `local-desktop` against the server's own URL. */
  readonly localAgent: boolean;
  /** The local agent's poll period and lease length (defaults 1,000 and 60,000 ms). */
  readonly agentPollMs?: number;
  readonly agentLeaseMs?: number;
  /** How long close() lets the local agent's running job finish (default 10,000 ms). */
  readonly agentGraceMs?: number;
}

/**
 * `lpcv serve` composed: the competition server (server/serve/start-server.ts) and, with `localAgent`, one
 * desktop device agent in this process against the server's own URL, so that a fresh install evaluates
 * submissions with nothing else set up. The server runs no device itself; this file is where the two meet.
 * close() stops the agent first (its job finishes or is given back), then the server.
 */
export async function startServe(o: StartServeOptions): Promise<RunningServer> {
  const server = await startServer(o);
  if (!o.localAgent) return server;
  let stopAgent: () => Promise<void>;
  try {
    stopAgent = await startLocalAgent(server, o);
  } catch (e) {
    await server.close();
    throw e;
  }
  return {
    ...server,
    close: async () => {
      try {
        await stopAgent();
      } finally {
        await server.close();
      }
    },
  };
}

/** Starts the local agent's loop; resolves to its stop (a no-op when an admin disabled the agent). */
async function startLocalAgent(server: RunningServer, o: StartServeOptions): Promise<() => Promise<void>> {
  const token = await localAgentToken(server.db, server.dataDir, server.now());
  // Its lines go to the server's log (the JSON one with --log-format json) as component "local agent".
  const serveLine = (line: string): void => server.logger.child({ component: 'serve' }).info(line);
  const agentLogger = server.logger.child({ component: 'local agent' });
  if (token === null) {
    serveLine(`the agent ${LOCAL_AGENT_NAME} is disabled: no local agent runs`);
    return async () => {};
  }
  const log = (line: string): void => {
    // The agent's lines about a job start "job N": the record carries the id as jobId.
    const job = /^job (\d+)\b/.exec(line);
    agentLogger.info(job === null ? {} : { jobId: Number(job[1]) }, line);
  };
  const cacheDir = path.join(server.dataDir, 'agent-cache');
  mkdirSync(cacheDir, { recursive: true });
  const stop = new AbortController();
  const running = runAgentLoop({
    serverUrl: server.url,
    token,
    device: await makeTarget(parseDeviceSpec(`desktop?name=${LOCAL_AGENT_NAME}`), log),
    cacheDir,
    signal: stop.signal,
    log,
    now: server.now,
    ...(o.agentPollMs !== undefined ? { pollMs: o.agentPollMs } : {}),
    ...(o.agentLeaseMs !== undefined ? { leaseMs: o.agentLeaseMs } : {}),
    graceMs: o.agentGraceMs ?? 10_000,
  }).catch((e: unknown) => log(`stopped: ${e instanceof Error ? e.message : String(e)}`));
  serveLine(`local agent ${LOCAL_AGENT_NAME} runs against ${server.url}`);
  return async () => {
    stop.abort();
    await running;
  };
}
