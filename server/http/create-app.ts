import { randomBytes } from 'node:crypto';
import express from 'express';
import type { Express } from 'express';
import type { Track } from '../../harness/tracks/track.js';
import type { ArtifactStore } from '../../submissions/store/artifact-store.js';
import type { AdminToken } from '../auth/index.js';
import type { Db } from '../db/index.js';
import { DEFAULT_DEVICE_HEALTH, type DeviceHealthConfig } from '../devices/index.js';
import { pageRoutes } from '../pages/page-routes.js';
import { DEFAULT_QUOTA, validateQuotaConfig, type QuotaConfig } from '../quota/index.js';
import type { InputPackCache } from '../scoring/index.js';
import { agentRoutes } from './agent-routes.js';
import { artifactRoutes } from './artifact-routes.js';
import { deviceAdminRoutes } from './device-admin-routes.js';
import { jsonErrorHandler, stderrErrorLog, unknownApiRoute, type ErrorLog } from './error-handler.js';
import { leaderboardRoutes } from './leaderboard-routes.js';
import { submissionsRoutes } from './submissions-routes.js';
import { webhookAdminRoutes } from './webhook-admin-routes.js';
import { teamAdminRoutes } from './team-admin-routes.js';
import { entrySelectionRoutes } from './entry-selection-routes.js';
import { trackFailuresRoutes } from './track-failures-routes.js';
import { adminOperationsRoutes } from './admin-operations-routes.js';
import { adminOperationsPageRoute } from '../pages/admin-operations-page-route.js';
import { entrySelectionPageRoute } from '../pages/entry-selection-page-route.js';
import { accountRoutes } from '../pages/account-routes.js';
import { adminTeamsRoutes } from '../pages/admin-teams-routes.js';
import { adminDeliveriesRoutes } from '../pages/admin-deliveries-routes.js';
import { OPEN_REGISTRATION } from '../accounts/registration-policy.js';
import { readCompetition } from '../competitions/competitions-table.js';
import { DEFAULT_MAIL_FROM, mailerFor, type Mailer } from '../notify/mailer.js';
import type { EnqueueEvent } from '../notify/index.js';
import type { TrackLookup } from '../tracks/track-lookup.js';
import type { ReferenceModels } from '../baselines/reference-models.js';
import type { ModelCheck } from '../../submissions/validate/check-pool.js';
import { logOf } from '../log/request-log.js';
import { requestLogger } from '../log/request-logger.js';
import type { Logger } from '../log/server-logger.js';
import { httpMetrics, metricsRoute } from '../metrics/metrics-routes.js';
import { ServerMetrics } from '../metrics/server-metrics.js';
import { DEFAULT_REFUSAL_LIMIT, RefusalLimiter, type RefusalLimitConfig } from '../submissions/refusal-limit.js';

/** JSON bodies (the agent API's) are small; uploads are multipart and never go through the JSON parser. */
export const JSON_BODY_LIMIT_BYTES = 256 * 1024;

export interface AppOptions {
  readonly db: Db;
  readonly store: ArtifactStore;
  readonly tracks: TrackLookup;
  /** The clock (epoch ms): tests pass their own. */
  readonly now: () => number;
  /** Where unexpected errors go (default: stderr). */
  readonly logError?: ErrorLog;
  /** Submissions per team per track per UTC day (default DEFAULT_QUOTA, 5; 0 = unlimited). */
  readonly quota?: QuotaConfig;
  /**
   * The input packs agents download (`new InputPackCache(dataDir)`). Without it the agent API (devices,
   * lease, complete, artifacts, inputs) is not mounted.
   */
  readonly inputPacks?: InputPackCache;
  /** The organizers' token (adminTokenFromEnv), or null: no admin access over HTTP. */
  readonly admin?: AdminToken | null;
  /**
   * The key that signs the pages' form tokens and admin sessions (loadServerKey: kept in the database, so
   * that every server process agrees). Default: a random key for this app only.
   */
  readonly webKey?: Buffer;
  /** Mark the pages' cookies Secure (the server is reached over HTTPS). Default false. */
  readonly secureCookies?: boolean;
  /** Device health settings (deviceHealthConfig; docs/devices.md): the drift threshold the admin views use. */
  readonly deviceHealth?: DeviceHealthConfig;
  /**
   * Each track's reference model (`protocol.reference`), already in `store` (storeReferenceModels): the
   * agent API leases it with the track's jobs. Without it no lease carries a reference.
   */
  readonly references?: ReferenceModels;
  /** Trials of a baseline's job when its track asks for more (`lpcv serve --baseline-trials`); default: the track's. */
  readonly baselineTrials?: number;
  /**
   * How uploads are checked: the server's ModelCheckPool (worker threads, time and heap limits; its owner closes
   * it). Default: on the server's own thread, as in tests that send no hostile files.
   */
  readonly modelCheck?: ModelCheck;
  /** The cap on refused uploads per team (default DEFAULT_REFUSAL_LIMIT, 20 in 10 minutes; max 0 turns it off). */
  readonly refusalLimit?: RefusalLimitConfig;
  /** Announces submissions' outcomes (webhooks, server/notify): in the transaction that finishes a job. None when absent. */
  readonly notify?: EnqueueEvent;
  /** Sends the account pages' e-mails (mailerFor); default: none sent, each written to stderr. */
  readonly mailer?: Mailer;
  /** The address e-mailed links point at (`lpcv serve --public-url`); default: the request's host. */
  readonly publicUrl?: string;
  /**
   * The server's log (server/log): a line per answered request and the handlers' own lines, each with the
   * request's id; unexpected errors go to it too when no logError is given. Default: no request lines.
   */
  readonly logger?: Logger;
  /** The server's metrics (server/metrics; `lpcv serve` makes one with process metrics). Default: a fresh one. */
  readonly metrics?: ServerMetrics;
  /** LPCV_METRICS_TOKEN (metricsTokenFromEnv): a bearer token for GET /metrics besides the admin token. */
  readonly metricsToken?: AdminToken | null;
}

/** The server's Express app, not yet listening. Routes and codes: docs/api.md. */
export function createApp(options: AppOptions): Express {
  const app = express();
  app.disable('x-powered-by');
  const logger = options.logger;
  const metrics = options.metrics ?? new ServerMetrics(options.db);
  if (logger !== undefined) app.use(requestLogger(logger));
  app.use(httpMetrics(metrics));
  app.get('/metrics', metricsRoute({ metrics, metricsToken: options.metricsToken ?? null, admin: options.admin ?? null }));
  options = { ...options, metrics };
  // The agent API parses its own bodies (a completion is larger than the limit below): mounted first.
  if (options.inputPacks !== undefined) {
    app.use(agentRoutes({ ...options, inputPacks: options.inputPacks }), artifactRoutes({ ...options, inputPacks: options.inputPacks }));
  }
  const quota = validateQuotaConfig(options.quota ?? DEFAULT_QUOTA);
  const logError: ErrorLog =
    options.logError ??
    (logger === undefined ? stderrErrorLog : (e, where, req) => ((req && logOf(req)) ?? logger).error({ err: e }, `internal error in ${where}`));
  const trackList: readonly Track[] = options.tracks instanceof Map ? [...options.tracks.values()] : [];
  const auth = {
    db: options.db,
    key: options.webKey ?? randomBytes(32),
    admin: options.admin ?? null,
    now: options.now,
    secureCookies: options.secureCookies ?? false,
  };
  app.use(express.json({ limit: JSON_BODY_LIMIT_BYTES }));
  const refusals = new RefusalLimiter(options.refusalLimit ?? DEFAULT_REFUSAL_LIMIT);
  app.use(submissionsRoutes({ ...options, quota, refusals }));
  app.use(deviceAdminRoutes({ db: options.db, auth, deviceHealth: options.deviceHealth ?? DEFAULT_DEVICE_HEALTH, now: options.now }));
  app.use(webhookAdminRoutes({ db: options.db, auth, now: options.now }));
  app.use(adminOperationsRoutes({ db: options.db, auth, tracks: options.tracks, store: options.store, now: options.now }));
  app.use(entrySelectionRoutes({ db: options.db, tracks: options.tracks, now: options.now }));
  app.use(leaderboardRoutes({ db: options.db, tracks: options.tracks, trackList, auth, now: options.now }));
  app.use(trackFailuresRoutes({ db: options.db, tracks: options.tracks }));
  const mailer = options.mailer ?? mailerFor(undefined, DEFAULT_MAIL_FROM, (line) => void process.stderr.write(`lpcv: ${line}\n`));
  const accounts = accountRoutes({
    db: options.db,
    auth,
    mailer,
    now: options.now,
    registration: async () => (await readCompetition(options.db))?.competition.registration ?? OPEN_REGISTRATION,
    ...(options.publicUrl !== undefined ? { publicUrl: options.publicUrl } : {}),
  });
  app.use(teamAdminRoutes(auth));
  app.use(
    pageRoutes({
      ...options,
      quota,
      refusals,
      auth,
      trackList,
      logError,
      extraRoutes: [
        accounts,
        adminTeamsRoutes(auth),
        entrySelectionPageRoute({ db: options.db, auth, tracks: options.tracks, now: options.now }),
        adminOperationsPageRoute({ auth, tracks: options.tracks, trackList }),
        adminDeliveriesRoutes(auth),
      ],
    }),
  );
  app.use('/api', unknownApiRoute);
  app.use(jsonErrorHandler(logError));
  return app;
}
