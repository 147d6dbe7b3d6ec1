import { Router } from 'express';
import { requireAdmin } from './admin-principal.js';
import type { Request, Response } from 'express';
import { z } from 'zod';
import { LpcvError } from '../../errors/lpcv-error.js';
import type { Track } from '../../harness/tracks/track.js';
import type { Db } from '../db/index.js';
import { hideTrack, leaderboardCsv, leaderboardQuery, revealTrack, trackReveal } from '../leaderboard/index.js';
import { boardCacheOf, sendRendered, type BoardCache } from '../leaderboard/board-cache.js';
import { listRescoreAudit, rescoreTrack } from '../rescore/index.js';
import { viewerOf, type WebAuth } from '../web/web-auth.js';
import { lookUpTrack, type TrackLookup } from '../tracks/track-lookup.js';
import { describeIssues } from '../../harness/schema-issues.js';

export interface LeaderboardRoutesDeps {
  readonly db: Db;
  readonly tracks: TrackLookup;
  readonly trackList: readonly Track[];
  readonly auth: WebAuth;
  readonly now: () => number;
  /** The boards kept between reads (default: the Db's, shared with the pages: boardCacheOf). */
  readonly boardCache?: BoardCache;
}

/** The body of `POST /api/admin/tracks/:track/rescore` (docs/rescoring.md). */
const rescoreBody = z.strictObject({
  formula: z.string().min(1).max(200).optional(),
  params: z.record(z.string().min(1).max(100), z.union([z.string().max(10_000), z.number()])).optional(),
  trackFile: z.boolean().optional(),
  dryRun: z.boolean().optional(),
});

// The pages read `?board=` with it too.
export { boardParam } from '../leaderboard/index.js';

/**
 * `GET /api/leaderboard`, `GET /api/leaderboard/:track` (JSON, or CSV with `?format=csv`; the view's `?board=public|
 * private`, `?sort=<column>&order=asc|desc`, `?phase=<name>&round=<name>`: leaderboardQuery), the admin's `POST`/`DELETE /api/admin/tracks/:track/reveal`, `POST /api/admin/tracks/:track/
 * rescore` and `GET /api/admin/tracks/:track/rescores` (docs/api.md, "Leaderboard"; docs/rescoring.md).
 * The leaderboard takes no token, a team token or the admin token (or the pages' login cookie) and shows
 * what that viewer may see.
 */
export function leaderboardRoutes(deps: LeaderboardRoutesDeps): Router {
  const { db, auth, now } = deps;
  const boards = deps.boardCache ?? boardCacheOf(db);
  const router = Router();

  router.get('/api/leaderboard', (_req, res) => {
    res.json({ tracks: deps.trackList.map((t) => ({ name: t.name, title: t.title, url: `/api/leaderboard/${t.name}` })) });
  });

  router.get('/api/leaderboard/:track', async (req: Request<{ track: string }>, res: Response) => {
    const viewer = await viewerOf(auth, req);
    const track = lookUpTrack(deps.tracks, req.params.track);
    const format = req.query.format ?? 'json';
    if (format !== 'json' && format !== 'csv') throw new LpcvError('LPCV_E_BAD_REQUEST', `format must be json or csv, not ${JSON.stringify(format)}`);
    // Built once per database version and view (board-cache.ts), and so are its JSON and CSV texts.
    const cached = await boards.board(track, viewer, leaderboardQuery(req.query), now());
    res.setHeader('Cache-Control', 'no-store');
    if (format === 'csv') {
      res.type('text/csv; charset=utf-8').setHeader('Content-Disposition', `attachment; filename="leaderboard-${track.name}.csv"`);
      sendRendered(req, res, cached.rendered('csv', leaderboardCsv)!);
    } else {
      res.type('application/json; charset=utf-8');
      sendRendered(
        req,
        res,
        cached.rendered('json', (b) => JSON.stringify(b))!,
      );
    }
  });

  router.post('/api/admin/tracks/:track/reveal', async (req: Request<{ track: string }>, res: Response) => {
    await requireAdmin(auth, req, { change: true });
    const track = lookUpTrack(deps.tracks, req.params.track);
    const reveal = await revealTrack(db, track.name, 'admin (api)', now());
    res.json({ track: track.name, revealedAt: new Date(reveal.revealedAt).toISOString() });
  });

  router.delete('/api/admin/tracks/:track/reveal', async (req: Request<{ track: string }>, res: Response) => {
    await requireAdmin(auth, req, { change: true });
    const track = lookUpTrack(deps.tracks, req.params.track);
    const was = await trackReveal(db, track.name);
    await hideTrack(db, track.name);
    res.json({ track: track.name, revealedAt: null, wasRevealed: was !== null });
  });

  router.post('/api/admin/tracks/:track/rescore', async (req: Request<{ track: string }>, res: Response) => {
    await requireAdmin(auth, req, { change: true });
    const track = lookUpTrack(deps.tracks, req.params.track);
    const parsed = rescoreBody.safeParse(req.body ?? {});
    if (!parsed.success)
      throw new LpcvError('LPCV_E_BAD_REQUEST', `the re-score request is malformed: ${describeIssues(parsed.error.issues, { topLevel: '(body)' })}`);
    const b = parsed.data;
    const report = await rescoreTrack(db, track, {
      ...(b.formula !== undefined ? { formula: b.formula } : {}),
      ...(b.params !== undefined ? { params: b.params } : {}),
      ...(b.trackFile !== undefined ? { trackFile: b.trackFile } : {}),
      dryRun: b.dryRun === true,
      actor: 'admin (api)',
      now,
    });
    res.json(report);
  });

  router.get('/api/admin/tracks/:track/rescores', async (req: Request<{ track: string }>, res: Response) => {
    await requireAdmin(auth, req, { change: true });
    const track = lookUpTrack(deps.tracks, req.params.track);
    res.json({ track: track.name, rescores: await listRescoreAudit(db, track.name) });
  });

  return router;
}
