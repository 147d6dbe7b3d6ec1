import { mkdirSync } from 'node:fs';
import { homedir, hostname } from 'node:os';
import path from 'node:path';
import { runAgentLoop } from '../../../devices/agent/run-agent-loop.js';
import { LpcvError } from '../../../errors/lpcv-error.js';
import { MAX_LEASE_MS, MIN_LEASE_MS } from '../../../server/http/agent-request-schemas.js';
import { parseServerUrl, resolveToken } from '../server-api.js';

export const AGENT_TOKEN_ENV = 'LPCV_AGENT_TOKEN';

/** What the server accepts as a device name (server/http/agent-request-schemas.ts, docs/api.md "Devices"). */
const DEVICE_NAME = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$/;

/** How long a running job may still finish after SIGINT/SIGTERM (as `lpcv serve`'s local agent). */
const GRACE_MS = 10_000;

export interface AgentCliOptions {
  server: string;
  token?: string;
  tokenFile?: string;
  device: string;
  name?: string;
  cacheDir?: string;
  leaseMs: number;
  pollMs: number;
}

/**
 * `lpcv agent --server <url>`: a device agent in its own process (devices/agent/runAgentLoop) with one
 * desktop device, until SIGINT or SIGTERM: then it leases nothing more, a running job gets a grace period
 * to finish and report (else it is given back to the queue), and the command exits 0. A second signal
 * exits at once. A refused token (401) ends it with LPCV_E_UNAUTHORIZED; a server that is away is waited for.
 */
export async function agentCommand(o: AgentCliOptions): Promise<number> {
  if (o.device !== 'desktop') {
    throw new LpcvError('LPCV_E_USAGE', `--device ${JSON.stringify(o.device)}: only the desktop device (this machine's CPU) exists for now; SSH boards and phones are not supported yet`);
  }
  const server = parseServerUrl(o.server);
  // The agent API's routes and the lease's download URLs are absolute paths (/api/...).
  if (server.pathname !== '/') throw new LpcvError('LPCV_E_USAGE', `--server: lpcv agent needs the server's root URL (${server.origin}), not a path under it`);
  const token = resolveToken(o, AGENT_TOKEN_ENV);
  const name = o.name ?? defaultDeviceName();
  if (!DEVICE_NAME.test(name)) throw new LpcvError('LPCV_E_USAGE', `--name ${JSON.stringify(name)}: expected 1-100 letters, digits, . _ : - (starting with a letter or digit)`);
  if (o.leaseMs < MIN_LEASE_MS || o.leaseMs > MAX_LEASE_MS) throw new LpcvError('LPCV_E_USAGE', `--lease-ms must be between ${MIN_LEASE_MS} and ${MAX_LEASE_MS}, got ${o.leaseMs}`);
  const cacheDir = path.resolve(o.cacheDir ?? defaultCacheDir());
  try {
    mkdirSync(cacheDir, { recursive: true });
  } catch (e) {
    throw new LpcvError('LPCV_E_USAGE', `cannot create the cache folder ${cacheDir}: ${(e as Error).message}`);
  }

  const log = (line: string): void => void process.stderr.write(`lpcv: agent: ${line}\n`);
  const stop = new AbortController();
  const onSignal = (signal: NodeJS.Signals): void => {
    log(`${signal}: stopping (a running job gets ${GRACE_MS / 1000} s to finish; a second signal exits at once)`);
    stop.abort();
    const force = (): never => process.exit(130);
    process.once('SIGINT', force);
    process.once('SIGTERM', force);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  log(`device ${name} (desktop) serving ${server.origin}, cache ${cacheDir}`);
  await runAgentLoop({
    serverUrl: server.origin,
    token,
    device: { name, kind: 'desktop' },
    cacheDir,
    signal: stop.signal,
    log,
    leaseMs: o.leaseMs,
    pollMs: o.pollMs,
    graceMs: GRACE_MS,
  });
  log('stopped');
  return 0;
}

/** The machine's name, as a device name: each run on the same machine is the same device. */
function defaultDeviceName(): string {
  const name = hostname().replace(/[^A-Za-z0-9._:-]/g, '-').replace(/^[^A-Za-z0-9]+/, '').slice(0, 100);
  return name === '' ? 'desktop' : name;
}

function defaultCacheDir(): string {
  const base = process.env.XDG_CACHE_HOME || path.join(homedir(), '.cache');
  return path.join(base, 'lpcv-agent');
}
