import { Router } from 'express';
import type { Request, Response } from 'express';
import { LpcvError } from '../../errors/lpcv-error.js';
import type { Track } from '../../harness/tracks/track.js';
import type { Db } from '../db/index.js';
import { participantSettings } from '../submissions/participant-settings.js';
import { listTrackFailures, MAX_PUBLIC_FAILURES } from '../submissions/track-failures.js';
import { lookUpTrack, type TrackLookup } from '../tracks/track-lookup.js';

export interface TrackFailuresRoutesDeps {
  readonly db: Db;
  readonly tracks: TrackLookup;
}

/**
 * The track when it publishes its failed submissions (`participants.publicFailures`), else a 404 as for a
 * route that is not there (LPCV_E_ROUTE_UNKNOWN): a track that keeps them private has no such list.
 */
export function publishingTrack(tracks: TrackLookup, name: string): Track {
  const track = lookUpTrack(tracks, name);
  if (!participantSettings(track).publicFailures) {
    throw new LpcvError('LPCV_E_ROUTE_UNKNOWN', `track ${track.name} does not publish its failed submissions (participants.publicFailures)`);
  }
  return track;
}

/** GET /api/tracks/:track/failures: open to everyone (docs/api.md). */
export function trackFailuresRoutes(deps: TrackFailuresRoutesDeps): Router {
  const router = Router();
  router.get('/api/tracks/:track/failures', async (req: Request<{ track: string }>, res: Response) => {
    const track = publishingTrack(deps.tracks, req.params.track);
    res.json({ track: track.name, limit: MAX_PUBLIC_FAILURES, failures: await listTrackFailures(deps.db, track.name) });
  });
  return router;
}
