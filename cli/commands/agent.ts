import { mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { loadAgentConfig, type AgentConfig } from '../../devices/agent/agent-config.js';
import { parseDeviceSpec } from '../../devices/agent/device-spec.js';
import { makeTarget } from '../../devices/agent/make-target.js';
import { checkDevices, runAgent } from '../../devices/agent/run-agent.js';
import type { Target } from '../../devices/targets/target.js';
import { LpcvError } from '../../errors/lpcv-error.js';
import { DEFAULT_LEASE_MS, MAX_LEASE_MS, MIN_LEASE_MS } from '../../harness/wire/index.js';
import { parseServerUrl, resolveToken } from '../server-api.js';

export const AGENT_TOKEN_ENV = 'LPCV_AGENT_TOKEN';

/** How long a running job may still finish after SIGINT/SIGTERM (as `lpcv serve`'s local agent). */
const GRACE_MS = 10_000;

export interface AgentCliOptions {
  server?: string;
  token?: string;
  tokenFile?: string;
  /** Repeatable; none: the config file's devices, else `desktop`. */
  device?: string[];
  config?: string;
  /** The single device's name (only with one device; specs take name=...). */
  name?: string;
  cacheDir?: string;
  leaseMs?: number;
  pollMs?: number;
  graceMs?: number;
}

/**
 * `lpcv agent --server <url> --device <spec> [--device <spec> ...]` (docs/agents.md): a device agent in
 * its own process with one loop per device, until SIGINT or SIGTERM: then it leases nothing more, running
 * jobs get a grace period to finish and report (else they are given back to the queue), and the command
 * exits 0. A second signal exits at once. A refused token (401) ends it with LPCV_E_UNAUTHORIZED; a
 * server that is away is waited for. Every device spec is parsed and every driver built before anything
 * is sent, so a bad spec or config fails at start-up.
 */
export async function agentCommand(o: AgentCliOptions): Promise<number> {
  const config: AgentConfig = o.config !== undefined ? loadAgentConfig(o.config) : {};
  const serverText = o.server ?? config.server;
  if (serverText === undefined) throw new LpcvError('LPCV_E_USAGE', 'no server: pass --server <url> or set "server" in the --config file');
  const server = parseServerUrl(serverText);
  // The agent API's routes and the lease's download URLs are absolute paths (/api/...).
  if (server.pathname !== '/') throw new LpcvError('LPCV_E_USAGE', `--server: lpcv agent needs the server's root URL (${server.origin}), not a path under it`);
  const token = resolveToken(
    {
      ...(o.token !== undefined ? { token: o.token } : {}),
      ...((o.tokenFile ?? config.tokenFile) !== undefined ? { tokenFile: (o.tokenFile ?? config.tokenFile)! } : {}),
    },
    AGENT_TOKEN_ENV,
  );
  const specs = (o.device !== undefined && o.device.length > 0 ? o.device : (config.devices ?? ['desktop'])).map(parseDeviceSpec);
  if (o.name !== undefined) {
    if (specs.length !== 1) throw new LpcvError('LPCV_E_USAGE', '--name names the one device; with several devices give each spec a name=...');
    if (specs[0]!.name !== undefined) throw new LpcvError('LPCV_E_USAGE', "--name and the spec's name= both name the device: keep one");
    specs[0] = parseDeviceSpec(withName(specs[0]!.text, o.name));
  }
  const leaseMs = o.leaseMs ?? config.leaseMs ?? DEFAULT_LEASE_MS;
  if (leaseMs < MIN_LEASE_MS || leaseMs > MAX_LEASE_MS)
    throw new LpcvError('LPCV_E_USAGE', `--lease-ms must be between ${MIN_LEASE_MS} and ${MAX_LEASE_MS}, got ${leaseMs}`);
  const graceMs = o.graceMs ?? config.graceMs ?? GRACE_MS;
  const cacheDir = path.resolve(o.cacheDir ?? config.cacheDir ?? defaultCacheDir());
  try {
    mkdirSync(cacheDir, { recursive: true });
  } catch (e) {
    throw new LpcvError('LPCV_E_USAGE', `cannot create the cache folder ${cacheDir}: ${(e as Error).message}`);
  }
  const log = (line: string): void => void process.stderr.write(`lpcv: agent: ${line}\n`);
  const devices: Target[] = [];
  for (const spec of specs) devices.push(await makeTarget(spec, log));
  checkDevices(devices);

  const stop = new AbortController();
  const onSignal = (signal: NodeJS.Signals): void => {
    log(`${signal}: stopping (running jobs get ${graceMs / 1000} s to finish; a second signal exits at once)`);
    stop.abort();
    const force = (): never => process.exit(130);
    process.once('SIGINT', force);
    process.once('SIGTERM', force);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  log(`${devices.map((d) => `${d.name} (${d.kind})`).join(', ')} serving ${server.origin}, cache ${cacheDir}`);
  await runAgent({
    serverUrl: server.origin,
    token,
    devices,
    cacheDir,
    signal: stop.signal,
    log,
    leaseMs,
    pollMs: o.pollMs ?? config.pollMs ?? 1_000,
    graceMs,
  });
  log('stopped');
  return 0;
}

function withName(spec: string, name: string): string {
  return `${spec}${spec.includes('?') ? '&' : '?'}name=${encodeURIComponent(name)}`;
}

function defaultCacheDir(): string {
  const base = process.env.XDG_CACHE_HOME || path.join(homedir(), '.cache');
  return path.join(base, 'lpcv-agent');
}
