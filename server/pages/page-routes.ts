/**
 * The server-rendered pages (docs/pages.md): tracks, log in/out, the submission form, a team's submissions,
 * a submission's status, a track's leaderboard, and the admin's reveal and re-score. No page needs JavaScript; every
 * POST form carries the form token (CSRF) and is checked before anything else happens.
 */
import { fileURLToPath } from 'node:url';
import express, { Router } from 'express';
import type { ErrorRequestHandler, Request, Response } from 'express';
import { LpcvError } from '../../errors/lpcv-error.js';
import type { Track } from '../../harness/tracks/track.js';
import { toHttpError, type ErrorLog } from '../http/error-handler.js';
import { takeSubmission, type SubmissionIntakeDeps } from '../submissions/take-submission.js';
import { lookUpTrack } from '../tracks/track-lookup.js';
import { hideTrack, leaderboardQuery, revealTrack, type Viewer } from '../leaderboard/index.js';
import { parseParamArgs, rescoreTrack } from '../rescore/index.js';
import { retryAfterOf } from '../../errors/retry-after.js';
import { countQuotaUsed, quotaLimitFor, quotaWindow } from '../quota/index.js';
import { checkFormToken, CSRF_FIELD, formToken, logIn, logOut, startTeamSession, teamOfToken, viewerOf, type WebAuth } from '../web/web-auth.js';
import { DEFAULT_DEVICE_HEALTH, drainDevice, listDevices, parseDeviceId, undrainDevice, type DeviceHealthConfig } from '../devices/index.js';
import { devicesPage } from './devices-page.js';
import { errorPage } from './error-page.js';
import { homePage } from './home-page.js';
import { pageHeaders, postedField } from './page-kit.js';
import { readCompetition } from '../competitions/competitions-table.js';
import { drainRequest } from './drain-request.js';
import type { PageContext } from './layout.js';
import { boardCacheOf, sendRendered, type BoardCache } from '../leaderboard/board-cache.js';
import { leaderboardPage, rescoreResultPage } from './leaderboard-page.js';
import { loginPage, safeNext } from './login-page.js';
import { submissionDetails, listSubmissions } from './submission-details.js';
import { submissionPage, submissionsListPage } from './submission-page.js';
import { trackFailuresPage } from './track-failures-page.js';
import { findSubmissionUpload } from '../submissions/submission-upload.js';
import { sendUpload } from '../submissions/send-upload.js';
import { listTrackFailures, MAX_PUBLIC_FAILURES } from '../submissions/track-failures.js';
import { publishingTrack } from '../http/track-failures-routes.js';
import { submitPage, type QuotaUse } from './submit-page.js';

export interface PageRoutesDeps extends SubmissionIntakeDeps {
  readonly auth: WebAuth;
  /** The tracks the pages list, in order. */
  readonly trackList: readonly Track[];
  readonly logError: ErrorLog;
  /** For the admin's device page (default DEFAULT_DEVICE_HEALTH). */
  readonly deviceHealth?: DeviceHealthConfig;
  /** Other pages' routers (accounts, the admin's teams), mounted before the page-not-found answer and under this router's error pages. */
  readonly extraRoutes?: readonly Router[];
  /** The boards kept between reads (default: the Db's, shared with the API: boardCacheOf). */
  readonly boardCache?: BoardCache;
}

/** Stands for the form token while the anonymous leaderboard page is rendered to be kept (it must not show). */
const CSRF_PLACEHOLDER = 'lpcv-form-token-placeholder-9f3a61c2';

/** What of a refused form upload is still read (and dropped) so that the browser gets the error page. */
const DRAIN_MAX_BYTES = 256 * 1024 * 1024;
const DRAIN_MAX_MS = 60_000;

const STYLE_FILE = fileURLToPath(new URL('./static/style.css', import.meta.url));

export function pageRoutes(deps: PageRoutesDeps): Router {
  const { db, auth, now } = deps;
  const boards = deps.boardCache ?? boardCacheOf(db);
  const router = Router();
  const form = express.urlencoded({ extended: false, limit: 16 * 1024, parameterLimit: 10 });

  const context = async (req: Request, res: Response, viewer?: Viewer): Promise<PageContext> => ({
    viewer: viewer ?? (await viewerOf(auth, req)),
    csrf: formToken(auth, req, res),
    path: req.path,
  });
  const send = (res: Response, status: number, page: string): void => {
    pageHeaders(res);
    res.status(status).type('html').send(page);
  };
  const toLogin = (req: Request, res: Response): void => res.redirect(303, `/login?next=${encodeURIComponent(req.originalUrl)}`);

  router.get('/static/style.css', (_req, res) => {
    res.setHeader('Cache-Control', 'public, max-age=3600');
    res.sendFile(STYLE_FILE);
  });

  // Browsers ask for it on every site; the pages have no icon, and a cached empty answer stops the asking (and the 404s).
  router.get('/favicon.ico', (_req, res) => {
    res.setHeader('Cache-Control', 'public, max-age=86400');
    res.status(204).end();
  });

  router.get('/', async (req, res) => {
    const ctx = await context(req, res);
    send(res, 200, homePage(ctx, deps.trackList, (await readCompetition(db))?.competition ?? null, now()));
  });

  router.get('/login', async (req, res) => send(res, 200, loginPage(await context(req, res), safeNext(req.query.next))));

  router.post('/login', form, async (req: Request, res: Response) => {
    const next = safeNext(postedField(req, 'next'));
    try {
      checkFormToken(auth, req, postedField(req, CSRF_FIELD));
      await logIn(auth, res, postedField(req, 'token') ?? '');
      res.redirect(303, next);
    } catch (e) {
      if (!(e instanceof LpcvError)) throw e;
      send(res, e.httpStatus, loginPage(await context(req, res), next, { code: e.code, message: e.message }));
    }
  });

  router.post('/logout', form, async (req: Request, res: Response) => {
    checkFormToken(auth, req, postedField(req, CSRF_FIELD));
    await logOut(auth, req, res);
    res.redirect(303, '/');
  });

  const quotaUse = async (viewer: Viewer): Promise<QuotaUse | undefined> => {
    if (viewer.kind !== 'team') return undefined;
    const use = new Map<string, { used: number; limit: number | null }>();
    for (const t of deps.trackList) {
      const limit = quotaLimitFor(deps.quota, t.name);
      const used = await countQuotaUsed(db, { teamId: viewer.teamId, track: t.name }, quotaWindow(now()));
      use.set(t.name, { used, limit: limit === 0 ? null : limit });
    }
    return use;
  };

  router.get('/submit', async (req, res) => {
    const ctx = await context(req, res);
    const track = typeof req.query.track === 'string' ? req.query.track : undefined;
    send(res, 200, submitPage(ctx, deps.trackList, track !== undefined ? { track } : {}, await quotaUse(ctx.viewer)));
  });

  router.post('/submit', async (req: Request, res: Response) => {
    const viewer = await viewerOf(auth, req);
    const fields: Record<string, string> = {};
    let sessionFor: number | undefined;
    try {
      const taken = await takeSubmission(deps, {
        req,
        extraFields: [CSRF_FIELD, 'token'],
        onField: (name, value) => {
          if (name === 'track' || name === 'description') fields[name] = value;
        },
        teamFor: async (_track, extras) => {
          checkFormToken(auth, req, extras[CSRF_FIELD]);
          if (viewer.kind === 'team') return viewer.teamId;
          const team = extras.token === undefined ? null : await teamOfToken(auth, extras.token);
          if (team === null) throw new LpcvError('LPCV_E_UNAUTHORIZED', 'paste a valid team token (lpcv_team_...) or log in first');
          sessionFor = team.teamId;
          return team.teamId;
        },
      });
      if (sessionFor !== undefined) await startTeamSession(auth, res, sessionFor);
      res.redirect(303, `/submissions/${taken.id}`);
    } catch (e) {
      if (!(e instanceof LpcvError)) throw e;
      // A browser shows a reset connection, not our page, if we close while it is still sending: read and
      // drop the rest first (bounded), then close the connection after the answer.
      await drainRequest(req, DRAIN_MAX_BYTES, DRAIN_MAX_MS);
      res.setHeader('Connection', 'close');
      const retryAfter = retryAfterOf(e);
      if (retryAfter !== undefined) res.setHeader('Retry-After', String(retryAfter));
      const ctx = await context(req, res, viewer);
      const state = { ...fields, error: { code: e.code, message: e.message } };
      send(res, e.httpStatus, submitPage(ctx, deps.trackList, state, await quotaUse(viewer)));
    }
  });

  router.get('/submissions', async (req, res) => {
    const ctx = await context(req, res);
    if (ctx.viewer.kind === 'anonymous') return toLogin(req, res);
    send(res, 200, submissionsListPage(ctx, await listSubmissions(db, ctx.viewer)));
  });

  router.get('/submissions/:id', async (req: Request<{ id: string }>, res: Response) => {
    const ctx = await context(req, res);
    if (ctx.viewer.kind === 'anonymous') return toLogin(req, res);
    const details = await submissionDetails(db, req.params.id, ctx.viewer, deps.tracks);
    if (details === undefined) {
      return send(
        res,
        404,
        errorPage(ctx, 'No such submission', 'LPCV_E_SUBMISSION_UNKNOWN', `there is no submission ${JSON.stringify(req.params.id)} that you may see`),
      );
    }
    send(res, 200, submissionPage(ctx, details, req.query.refresh !== 'off', now()));
  });

  // The team's own upload (an admin's: any), as GET /api/submissions/:id/artifact.
  router.get('/submissions/:id/artifact', async (req: Request<{ id: string }>, res: Response) => {
    const ctx = await context(req, res);
    if (ctx.viewer.kind === 'anonymous') return toLogin(req, res);
    const upload = await findSubmissionUpload(db, req.params.id, ctx.viewer);
    if (upload === undefined) throw new LpcvError('LPCV_E_SUBMISSION_UNKNOWN', `there is no submission ${JSON.stringify(req.params.id)} that you may see`);
    await sendUpload(res, deps.store, upload);
  });

  router.get('/tracks/:track/failures', async (req: Request<{ track: string }>, res: Response) => {
    const track = publishingTrack(deps.tracks, req.params.track);
    send(res, 200, trackFailuresPage(await context(req, res), track, await listTrackFailures(db, track.name), MAX_PUBLIC_FAILURES));
  });

  router.get('/leaderboard/:track', async (req: Request<{ track: string }>, res: Response) => {
    const ctx = await context(req, res);
    const track = lookUpTrack(deps.tracks, req.params.track);
    const cached = await boards.board(track, ctx.viewer, leaderboardQuery(req.query), now());
    // The anonymous page is the same for every browser (it has no form, so no form token): kept with the board
    // (board-cache.ts). Rendered with a stand-in token to make sure: a page that shows it is not kept.
    const kept =
      ctx.viewer.kind === 'anonymous' && ctx.path === `/leaderboard/${track.name}`
        ? cached.rendered('anonymous-page', (b) => {
            const page = leaderboardPage({ ...ctx, csrf: CSRF_PLACEHOLDER }, b);
            return page.includes(CSRF_PLACEHOLDER) ? null : page;
          })
        : null;
    if (kept === null) return send(res, 200, leaderboardPage(ctx, cached.board));
    pageHeaders(res);
    res.status(200).type('html');
    sendRendered(req, res, kept);
  });

  // The admin's re-score form (docs/rescoring.md): the same rescoreTrack as the CLI and the API.
  router.post('/leaderboard/:track/rescore', form, async (req: Request<{ track: string }>, res: Response) => {
    checkFormToken(auth, req, postedField(req, CSRF_FIELD));
    const viewer = await viewerOf(auth, req);
    if (viewer.kind !== 'admin') throw new LpcvError('LPCV_E_FORBIDDEN', "only an admin may re-score a track's results");
    const track = lookUpTrack(deps.tracks, req.params.track);
    const formula = postedField(req, 'formula')?.trim();
    const params = parseParamArgs(
      (postedField(req, 'params') ?? '')
        .split(/\r?\n/)
        .map((l) => l.trim())
        .filter((l) => l !== ''),
    );
    const report = await rescoreTrack(db, track, {
      ...(formula ? { formula } : {}),
      params,
      ...(postedField(req, 'trackFile') === '1' ? { trackFile: true } : {}),
      dryRun: postedField(req, 'dryRun') === '1',
      actor: 'admin (web)',
      now,
    });
    send(res, 200, rescoreResultPage(await context(req, res, viewer), report));
  });

  for (const action of ['reveal', 'hide'] as const) {
    router.post(`/leaderboard/:track/${action}`, form, async (req: Request<{ track: string }>, res: Response) => {
      checkFormToken(auth, req, postedField(req, CSRF_FIELD));
      const viewer = await viewerOf(auth, req);
      if (viewer.kind !== 'admin') throw new LpcvError('LPCV_E_FORBIDDEN', `only an admin may ${action} a track's results`);
      const track = lookUpTrack(deps.tracks, req.params.track);
      if (action === 'reveal') await revealTrack(db, track.name, 'admin (web)', now());
      else await hideTrack(db, track.name);
      res.redirect(303, `/leaderboard/${track.name}`);
    });
  }

  // The admin's devices (docs/devices.md): list, drain, undrain.
  router.get('/admin/devices', async (req, res) => {
    const ctx = await context(req, res);
    if (ctx.viewer.kind === 'anonymous') return toLogin(req, res);
    if (ctx.viewer.kind !== 'admin') throw new LpcvError('LPCV_E_FORBIDDEN', 'the devices page is for admins only');
    const health = deps.deviceHealth ?? DEFAULT_DEVICE_HEALTH;
    send(res, 200, devicesPage(ctx, await listDevices(db, health.driftPct), health));
  });
  for (const action of ['drain', 'undrain'] as const) {
    router.post(`/admin/devices/:id/${action}`, form, async (req: Request<{ id: string }>, res: Response) => {
      checkFormToken(auth, req, postedField(req, CSRF_FIELD));
      const viewer = await viewerOf(auth, req);
      if (viewer.kind !== 'admin') throw new LpcvError('LPCV_E_FORBIDDEN', `only an admin may ${action} a device`);
      const id = parseDeviceId(req.params.id);
      if (action === 'drain') await drainDevice(db, id, 'admin (web)', now());
      else await undrainDevice(db, id);
      res.redirect(303, `/admin/devices#device-${id}`);
    });
  }

  for (const extra of deps.extraRoutes ?? []) router.use(extra);

  // Any other GET outside /api is a page that does not exist.
  router.get(/^\/(?!api(?:\/|$)).*/, async (req, res) => {
    send(res, 404, errorPage(await context(req, res), 'Page not found', 'LPCV_E_ROUTE_UNKNOWN', `there is no page ${req.path}`));
  });

  const pageErrors: ErrorRequestHandler = async (e: unknown, req, res, next) => {
    if (req.path.startsWith('/api/') || res.headersSent) return next(e);
    const { error, internal } = toHttpError(e);
    if (internal) deps.logError(e, `${req.method} ${req.originalUrl}`, req);
    let viewer: Viewer = { kind: 'anonymous' };
    try {
      viewer = await viewerOf(auth, req);
    } catch {
      // The error may be about the login itself: show the page as to nobody.
    }
    const ctx: PageContext = { viewer, csrf: formToken(auth, req, res), path: req.path };
    const title =
      error.httpStatus === 404 ? 'Not found' : error.httpStatus === 403 ? 'Not allowed' : error.httpStatus === 401 ? 'Not logged in' : 'Something went wrong';
    send(res, error.httpStatus, errorPage(ctx, title, error.code, error.message));
  };
  router.use(pageErrors);
  return router;
}
