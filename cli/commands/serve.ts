import { loadCompetitionFile } from '../../harness/competitions/load-competition.js';
import { jsonLogger, textLogger, type LogFormat, type LogLevel } from '../../server/log/server-logger.js';
import { checkListenAddress, checkPublicUrl } from '../../server/serve/serve-config.js';
import { builtinTracks } from '../../server/serve/start-server.js';
import { startServe } from '../start-serve.js';

export interface ServeCliOptions {
  port: number;
  host: string;
  dataDir: string;
  /** false with --no-local-agent. */
  localAgent: boolean;
  databaseUrl?: string;
  /** false with --no-baselines. */
  baselines: boolean;
  /** Trials of a baseline's job (--baseline-trials, 1 to 100). */
  baselineTrials: number;
  quota: number;
  leaseMs: number;
  reapEveryMs: number;
  /** Device health (docs/devices.md). */
  offlineAfterMs: number;
  referenceEveryMin?: number;
  referenceBaseline?: string[];
  driftPct: number;
  /** --public-url: the address participants use (a TLS proxy's https URL marks the cookies Secure). */
  publicUrl?: string;
  /** --competition: a competition bundle to apply at start; its tracks are served beside the built-in ones. */
  competition?: string;
  /** --smtp-url / --mail-from: e-mail for the account pages (default: env LPCV_SMTP_URL; none: the log). */
  smtpUrl?: string;
  mailFrom?: string;
  /** --log-format (default text; json for a log collector), --log-level (default info). */
  logFormat?: LogFormat;
  logLevel?: LogLevel;
  /** --metrics-listen HOST:PORT: GET /metrics without a token on a separate address. */
  metricsListen?: string;
}

/**
 * `lpcv serve`: the competition server until SIGINT or SIGTERM, then a clean stop (the local agent's job
 * finishes or is given back, then the HTTP server and the database close). A second signal exits at once.
 */
export async function serveCommand(o: ServeCliOptions): Promise<number> {
  const text = (line: string): void => void process.stderr.write(`lpcv: ${line}\n`);
  const format = o.logFormat ?? 'text';
  const logger = format === 'json' ? jsonLogger(o.logLevel ?? 'info') : textLogger(text, o.logLevel ?? 'info');
  // The command's own lines (serving on, stopping): text, or JSON records in a JSON log.
  const log = format === 'json' ? (line: string): void => logger.info({ component: 'lpcv' }, line) : text;
  const metricsListen = o.metricsListen === undefined ? undefined : checkListenAddress('--metrics-listen', o.metricsListen);
  // Checked before anything opens: a typo in the public address is a configuration error.
  const publicUrl = o.publicUrl === undefined ? undefined : checkPublicUrl(o.publicUrl);
  const bundle = o.competition === undefined ? undefined : loadCompetitionFile(o.competition);
  const tracks = new Map([...builtinTracks(), ...(bundle?.tracks ?? []).map((t) => [t.name, t] as const)]);
  const server = await startServe({
    ...(bundle !== undefined ? { competition: bundle.competition } : {}),
    tracks,
    secureCookies: publicUrl?.secure ?? false,
    ...(publicUrl !== undefined ? { publicUrl: publicUrl.url } : {}),
    ...(o.smtpUrl !== undefined ? { smtpUrl: o.smtpUrl } : {}),
    ...(o.mailFrom !== undefined ? { mailFrom: o.mailFrom } : {}),
    port: o.port,
    host: o.host,
    dataDir: o.dataDir,
    localAgent: o.localAgent,
    seedBaselines: o.baselines,
    baselineTrials: o.baselineTrials,
    quota: { perDay: o.quota },
    agentLeaseMs: o.leaseMs,
    reapEveryMs: o.reapEveryMs,
    deviceHealth: {
      offlineAfterMs: o.offlineAfterMs,
      referenceEveryMs: o.referenceEveryMin === undefined || o.referenceEveryMin === 0 ? null : o.referenceEveryMin * 60_000,
      referenceBaselines: o.referenceBaseline ?? [],
      driftPct: o.driftPct,
    },
    log,
    logger,
    ...(metricsListen !== undefined ? { metricsListen } : {}),
    ...(o.databaseUrl !== undefined ? { databaseUrl: o.databaseUrl } : {}),
  });
  // Listen for the stop signals before saying the server is up: whoever reads "serving on" may signal at once.
  const stopped = new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  log(
    `serving on ${server.url} (Ctrl-C stops): open ${publicUrl?.url ?? server.url}/ in a browser` +
      `${publicUrl?.secure ? ' (login cookies marked Secure: only sent over https)' : ''}`,
  );
  const base = publicUrl?.url ?? server.url;
  log(`leaderboards: ${[...tracks.keys()].map((t) => `${base}/leaderboard/${t}`).join('  ')}`);
  log(`add a team with: npx lpcv admin team add NAME --data-dir ${o.dataDir}`);
  const signal = await stopped;
  log(`${signal}: stopping (a second signal exits at once)`);
  const force = (): never => process.exit(130);
  process.once('SIGINT', force);
  process.once('SIGTERM', force);
  await server.close();
  log('stopped');
  return 0;
}
