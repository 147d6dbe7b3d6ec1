import { Router } from 'express';
import type { Request, Response } from 'express';
import { LpcvError } from '../../errors/lpcv-error.js';
import type { Track } from '../../harness/tracks/track.js';
import type { Db } from '../db/index.js';
import { buildLeaderboard, hideTrack, leaderboardCsv, revealTrack, trackReveal } from '../leaderboard/index.js';
import { viewerOf, type WebAuth } from '../web/web-auth.js';
import { lookUpTrack, type TrackLookup } from './track-lookup.js';

export interface LeaderboardRoutesDeps {
  readonly db: Db;
  readonly tracks: TrackLookup;
  readonly trackList: readonly Track[];
  readonly auth: WebAuth;
  readonly now: () => number;
}

/**
 * `GET /api/leaderboard`, `GET /api/leaderboard/:track` (JSON, or CSV with `?format=csv`) and the admin's
 * `POST`/`DELETE /api/admin/tracks/:track/reveal` (docs/api.md, "Leaderboard"). The leaderboard takes no
 * token, a team token or the admin token (or the pages' login cookie) and shows what that viewer may see.
 */
export function leaderboardRoutes(deps: LeaderboardRoutesDeps): Router {
  const { db, auth, now } = deps;
  const router = Router();

  router.get('/api/leaderboard', (_req, res) => {
    res.json({ tracks: deps.trackList.map((t) => ({ name: t.name, title: t.title, url: `/api/leaderboard/${t.name}` })) });
  });

  router.get('/api/leaderboard/:track', async (req: Request<{ track: string }>, res: Response) => {
    const viewer = await viewerOf(auth, req);
    const track = lookUpTrack(deps.tracks, req.params.track);
    const format = req.query.format ?? 'json';
    if (format !== 'json' && format !== 'csv') throw new LpcvError('LPCV_E_BAD_REQUEST', `format must be json or csv, not ${JSON.stringify(format)}`);
    const board = await buildLeaderboard(db, track, viewer);
    res.setHeader('Cache-Control', 'no-store');
    if (format === 'csv') {
      res.type('text/csv; charset=utf-8').setHeader('Content-Disposition', `attachment; filename="leaderboard-${track.name}.csv"`);
      res.send(leaderboardCsv(board));
    } else res.json(board);
  });

  const requireAdmin = async (req: Request): Promise<void> => {
    const viewer = await viewerOf(auth, req);
    if (viewer.kind === 'anonymous') throw new LpcvError('LPCV_E_UNAUTHORIZED', 'this route needs the admin token: Authorization: Bearer <LPCV_ADMIN_TOKEN>');
    if (viewer.kind !== 'admin') throw new LpcvError('LPCV_E_FORBIDDEN', 'this route is for admins only');
    // A logged-in browser's cookie is not enough for a state change over the API: cross-site requests
    // could carry it. The pages' own forms carry a form token instead.
    if (req.headers.authorization === undefined) throw new LpcvError('LPCV_E_UNAUTHORIZED', 'admin API routes take the admin token as a bearer token, not a login cookie');
  };

  router.post('/api/admin/tracks/:track/reveal', async (req: Request<{ track: string }>, res: Response) => {
    await requireAdmin(req);
    const track = lookUpTrack(deps.tracks, req.params.track);
    const reveal = await revealTrack(db, track.name, 'admin (api)', now());
    res.json({ track: track.name, revealedAt: new Date(reveal.revealedAt).toISOString() });
  });

  router.delete('/api/admin/tracks/:track/reveal', async (req: Request<{ track: string }>, res: Response) => {
    await requireAdmin(req);
    const track = lookUpTrack(deps.tracks, req.params.track);
    const was = await trackReveal(db, track.name);
    await hideTrack(db, track.name);
    res.json({ track: track.name, revealedAt: null, wasRevealed: was !== null });
  });

  return router;
}
