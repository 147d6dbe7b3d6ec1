import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { LpcvError } from '../../errors/lpcv-error.js';
import { BUILTIN_TRACKS_DIR, listBuiltinTracks, loadTrackFile } from '../../harness/tracks/load-track.js';
import type { Track } from '../../harness/tracks/track.js';
import type { Competition } from '../../harness/competitions/competition.js';
import { applyCompetition } from '../competitions/apply-competition.js';
import { readCompetition } from '../competitions/competitions-table.js';
import {
  WebhookDeliverer,
  notifyDeviceEvents,
  notifyPhaseTransitions,
  notifySubmissionOutcome,
  webhookSubscribers,
  type EnqueueEvent,
  type WebhookDelivererOptions,
} from '../notify/index.js';
import type { Job } from '../queue/index.js';
import { DEFAULT_MAIL_FROM, mailerFor, SMTP_URL_ENV } from '../notify/mailer.js';
import { memberAddresses } from '../notify/outcome-mail.js';
import { ArtifactStore } from '../../submissions/store/artifact-store.js';
import { ModelCheckPool, type CheckPoolOptions } from '../../submissions/validate/check-pool.js';
import { ADMIN_TOKEN_ENV, adminTokenFromEnv } from '../auth/index.js';
import { checkBaselineTrials, DEFAULT_BASELINE_TRIALS } from '../baselines/baseline-trials.js';
import { storeReferenceModels } from '../baselines/reference-models.js';
import { seedBaselines } from '../baselines/seed-baselines.js';
import { databaseConfigFrom, openDatabase, withWriteTransaction, type Db } from '../db/index.js';
import { deviceHealthConfig, deviceSweeps, type DeviceHealthSettings } from '../devices/index.js';
import { createApp } from '../http/index.js';
import type { QuotaConfig } from '../quota/index.js';
import { InputPackCache } from '../scoring/index.js';
import type { RefusalLimitConfig } from '../submissions/refusal-limit.js';
import { loadServerKey } from '../web/server-key.js';
import { textLogger, type Logger } from '../log/server-logger.js';
import { metricsOnlyApp, metricsTokenFromEnv } from '../metrics/metrics-routes.js';
import { ServerMetrics } from '../metrics/server-metrics.js';
import { startReaper } from './reaper.js';
import { checkServeConfig, localUrlOf } from './serve-config.js';

export type ServeLog = (line: string) => void;

export interface ServeOptions {
  /** 0 picks a free port. */
  readonly port: number;
  /** Default 127.0.0.1 (this machine only); 0.0.0.0 for every interface. */
  readonly host?: string;
  /** The server's files: lpcv.sqlite, artifacts/, inputs/, agent-cache/, local-agent.token. */
  readonly dataDir: string;
  /** A PostgreSQL URL instead of `<dataDir>/lpcv.sqlite` (else env LPCV_DATABASE_URL, as databaseConfigFrom). */
  readonly databaseUrl?: string;
  /** Where the server's lines go as text (textLogger) when no `logger` is given. */
  readonly log: ServeLog;
  /** The server's log (server/log): `lpcv serve --log-format json` passes a JSON logger. Default: text lines to `log`. */
  readonly logger?: Logger;
  /** `--metrics-listen`: also serve GET /metrics, with no token, on this address (docs/operations.md). */
  readonly metricsListen?: { readonly host: string; readonly port: number };
  /** The clock (epoch ms) of the app and the reaper. */
  readonly now?: () => number;
  /** Environment read for the database and LPCV_ADMIN_TOKEN (default process.env). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly quota?: QuotaConfig;
  /** Queue the tracks' baseline models (track.json `baselines`) that are not submitted yet (default false). */
  readonly seedBaselines?: boolean;
  /**
   * Trials of a baseline's job (team `baseline`: seeded baselines and devices' reference runs) when its track
   * asks for more; 1 to 100 (default DEFAULT_BASELINE_TRIALS, 1). Submissions always run the track's own.
   */
  readonly baselineTrials?: number;
  /** How often expired leases are reclaimed (default 5,000 ms). */
  readonly reapEveryMs?: number;
  /** Mark the pages' cookies Secure: the server is reached over HTTPS (behind a TLS proxy). */
  readonly secureCookies?: boolean;
  /** Device health: offline after silence, reference runs, drift threshold (docs/devices.md). */
  readonly deviceHealth?: DeviceHealthSettings;
  /** The tracks served, by name (default: the built-in tracks, builtinTracks()). */
  readonly tracks?: ReadonlyMap<string, Track>;
  /**
   * A competition bundle to apply at start (`lpcv serve --competition`; loadCompetitionFile): stored as `lpcv
   * competition apply` would (unchanged: nothing happens), except that a change to a phase that has started
   * stops the start: apply that with `lpcv competition apply --force`.
   */
  readonly competition?: Competition;
  /** SMTP for the account pages' e-mails (`--smtp-url`, else env LPCV_SMTP_URL); none: each message goes to the log. */
  readonly smtpUrl?: string;
  /** The From of those e-mails (default DEFAULT_MAIL_FROM). */
  readonly mailFrom?: string;
  /** The address participants use (`--public-url`): e-mailed links point at it. */
  readonly publicUrl?: string;
  /** The webhook deliverer's timing (tests shorten it); the subscribers come from the applied competition. */
  readonly webhooks?: Pick<WebhookDelivererOptions, 'pollMs' | 'timeoutMs' | 'backoff' | 'concurrency'>;
  /** The upload checks' worker pool (default: ModelCheckPool's defaults). */
  readonly modelChecks?: CheckPoolOptions;
  /** The cap on refused uploads per team (default DEFAULT_REFUSAL_LIMIT). */
  readonly refusalLimit?: RefusalLimitConfig;
}

export interface RunningServer {
  /** e.g. http://127.0.0.1:8080 */
  readonly url: string;
  /** The separate metrics address's URL (with `metricsListen`), e.g. http://127.0.0.1:9464/metrics. */
  readonly metricsUrl: string | null;
  /** The server's log (the `logger` given, or the text lines to `log`): what runs beside it logs here too. */
  readonly logger: Logger;
  readonly db: Db;
  readonly dataDir: string;
  /** The clock the server runs on (epoch ms). */
  readonly now: () => number;
  /** Stops the reaper, the HTTP server, the database. */
  close(): Promise<void>;
}

/** The built-in tracks (tracks/<name>/track.json), by name. */
export function builtinTracks(): ReadonlyMap<string, Track> {
  return new Map(listBuiltinTracks().map((name) => [name, loadTrackFile(path.join(BUILTIN_TRACKS_DIR, name, 'track.json'))]));
}

/**
 * `lpcv serve`: the competition server composed from its parts (docs/api.md, "Serving"). Opens (and
 * migrates) the database, the artifact store and the input packs under the data folder, serves createApp,
 * and reclaims expired leases every few seconds. It runs no device: `lpcv serve` (cli/start-serve.ts) adds the
 * in-process desktop agent, so that a fresh install evaluates submissions with nothing else set up.
 */
export async function startServer(o: ServeOptions): Promise<RunningServer> {
  const host = o.host ?? '127.0.0.1';
  const now = o.now ?? Date.now;
  const baselineTrials = checkBaselineTrials(o.baselineTrials ?? DEFAULT_BASELINE_TRIALS);
  const { dataDir } = checkServeConfig({ port: o.port, host, dataDir: o.dataDir });
  const env = o.env ?? process.env;
  // Checked before anything opens: a too-short admin token is a configuration error, not a silent "no admin".
  const admin = adminTokenFromEnv(env);
  const metricsToken = metricsTokenFromEnv(env);
  const root = o.logger ?? textLogger(o.log);
  const logger = root.child({ component: 'serve' });
  const deviceHealth = deviceHealthConfig(o.deviceHealth);
  const config = databaseConfigFrom({ dataDir, ...(o.databaseUrl !== undefined ? { databaseUrl: o.databaseUrl } : {}) }, env);
  let db: Db;
  try {
    db = await openDatabase(config);
  } catch (e) {
    throw new LpcvError(
      'LPCV_E_DATABASE_UNAVAILABLE',
      `cannot open the database (${config.client}): ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`,
    );
  }
  const cleanups: (() => Promise<void>)[] = [() => db.destroy()];
  const unwind = async (): Promise<void> => {
    for (const c of cleanups.splice(0).reverse()) await c().catch((e: unknown) => logger.error({ err: e }, 'while stopping'));
  };
  try {
    const store = new ArtifactStore(path.join(dataDir, 'artifacts'));
    // One server per data folder: no upload of this process is running yet, so every temp file is a crash's.
    const swept = await store.sweepTemp(0, now());
    if (swept.length > 0) logger.info(`removed ${swept.length} unfinished upload(s) left by an earlier run`);
    const tracks = o.tracks ?? builtinTracks();
    if (o.competition !== undefined) {
      const applied = await applyCompetition(db, o.competition, { now: now(), actor: 'serve' });
      logger.info(`competition ${applied.competition}: ${applied.action === 'unchanged' ? 'as applied before' : applied.action}`);
    }
    // Notifications: the applied competition's webhook subscribers (read at start: an apply to a running server
    // takes effect at its restart), and e-mail to a team's members about their submissions when SMTP is set.
    const competition = (await readCompetition(db))?.competition ?? null;
    const subscribers = webhookSubscribers(competition, o.env ?? process.env);
    const mailer = mailerFor(o.smtpUrl ?? (o.env ?? process.env)[SMTP_URL_ENV], o.mailFrom ?? DEFAULT_MAIL_FROM, (line) => logger.info(line));
    const deliverer =
      subscribers.length === 0 && !mailer.sends
        ? null
        : new WebhookDeliverer({
            db,
            subscribers,
            now,
            mailer,
            ...o.webhooks,
            logError: (e, where) => logger.error({ err: e }, `notifications: ${where}`),
          });
    if (deliverer !== null) {
      deliverer.start();
      cleanups.push(() => deliverer.stop());
      if (subscribers.length > 0) logger.info(`webhooks to ${[...new Set(subscribers.map((s) => s.url))].join(', ')}`);
      if (mailer.sends) logger.info("e-mail through SMTP (accounts, and submissions' outcomes to their teams)");
    }
    const notify: EnqueueEvent | undefined =
      deliverer === null
        ? undefined
        : async (event, tx) => {
            let rows = subscribers.length === 0 ? 0 : await deliverer.enqueue(event, tx);
            if (mailer.sends && event.name.startsWith('submission.') && typeof event.data.team === 'string')
              rows += await deliverer.enqueueMail(event, await memberAddresses(tx, event.data.team), tx);
            return rows;
          };
    // Every start, seeded baselines or not: agents download each track's reference model from the store.
    const references = await storeReferenceModels(db, store, tracks.values());
    if (references.size > 0) logger.info(`reference model(s): ${[...references].map(([t, r]) => `${t}/${r.name}`).join(', ')}`);
    if (o.seedBaselines === true) {
      const seeded = await seedBaselines(db, store, tracks.values(), now);
      if (seeded.length > 0) logger.info(`queued ${seeded.length} baseline(s): ${seeded.map((b) => `${b.track}/${b.name}`).join(', ')}`);
    }
    // Uploads are checked in worker threads, never on the thread that answers requests.
    const checks = new ModelCheckPool(o.modelChecks ?? {});
    cleanups.push(() => checks.close());
    const metrics = new ServerMetrics(db, { processMetrics: true });
    const app = createApp({
      db,
      store,
      modelCheck: checks.check,
      ...(o.refusalLimit !== undefined ? { refusalLimit: o.refusalLimit } : {}),
      tracks,
      now,
      inputPacks: new InputPackCache(dataDir),
      admin,
      webKey: await loadServerKey(db, now()),
      secureCookies: o.secureCookies ?? false,
      deviceHealth,
      references,
      baselineTrials,
      logger: root,
      metrics,
      metricsToken,
      ...(o.quota !== undefined ? { quota: o.quota } : {}),
      ...(notify !== undefined ? { notify } : {}),
      mailer,
      ...(o.publicUrl !== undefined ? { publicUrl: o.publicUrl } : {}),
    });
    const server = await listen(app, o.port, host);
    cleanups.push(() => closeServer(server));
    const port = (server.address() as AddressInfo).port;
    const url = localUrlOf(host, port);
    let metricsUrl: string | null = null;
    if (o.metricsListen !== undefined) {
      const m = await listen(metricsOnlyApp(metrics), o.metricsListen.port, o.metricsListen.host, '--metrics-listen');
      cleanups.push(() => closeServer(m));
      metricsUrl = `${localUrlOf(o.metricsListen.host, (m.address() as AddressInfo).port)}/metrics`;
      logger.info(`metrics (no token) on ${metricsUrl}`);
    }

    const sweepDevices = deviceSweeps({ db, tracks: [...tracks.values()], config: deviceHealth, log: (line) => logger.info(line) });
    const reaper = startReaper({
      db,
      now,
      everyMs: o.reapEveryMs ?? 5_000,
      logger,
      metrics,
      afterReclaim: async (at) => {
        const swept = await sweepDevices(at);
        if (notify !== undefined) {
          await notifyPhaseTransitions(db, notify, competition, at);
          await notifyDeviceEvents(db, notify, swept, deviceHealth.driftPct, at);
        }
      },
      ...(notify === undefined
        ? {}
        : {
            onReclaimed: async (jobs: readonly Job[]) =>
              void (await withWriteTransaction(db, async (tx) => {
                for (const j of jobs) await notifySubmissionOutcome(tx, notify, j);
              })),
          }),
    });
    cleanups.push(() => reaper.stop());

    logger.info(
      `listening on ${url} (data ${dataDir}, database ${config.client}, ${tracks.size} track(s)${admin === null ? `; no ${ADMIN_TOKEN_ENV}: no admin access` : ''})`,
    );
    return { url, metricsUrl, logger: root, db, dataDir, now, close: unwind };
  } catch (e) {
    await unwind();
    throw e;
  }
}

function listen(app: ReturnType<typeof createApp> | ReturnType<typeof metricsOnlyApp>, port: number, host: string, flag = '--port'): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = app.listen(port, host);
    server.once('listening', () => resolve(server));
    server.once('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EADDRINUSE') reject(new LpcvError('LPCV_E_USAGE', `port ${port} on ${host} is already in use (pick another with ${flag})`));
      else if (e.code === 'EACCES') reject(new LpcvError('LPCV_E_USAGE', `not allowed to listen on ${host}:${port} (ports below 1024 need privileges)`));
      else if (e.code === 'EADDRNOTAVAIL' || e.code === 'ENOTFOUND')
        reject(new LpcvError('LPCV_E_USAGE', `cannot listen on host ${host}: no such local address`));
      else reject(e);
    });
  });
}

async function closeServer(server: Server): Promise<void> {
  const closed = new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve())));
  server.closeIdleConnections();
  // Requests still running get a moment, then their connections are cut.
  const timer = setTimeout(() => server.closeAllConnections(), 5_000);
  try {
    await closed;
  } finally {
    clearTimeout(timer);
  }
}
