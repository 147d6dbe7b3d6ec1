import { Router } from 'express';
import type { Request, Response } from 'express';
import type { ArtifactStore } from '../../submissions/store/artifact-store.js';
import type { Db } from '../db/index.js';
import type { InputPackCache } from '../scoring/index.js';
import { requireAgent } from './agent-principal.js';
import { lookUpTrack, type TrackLookup } from '../tracks/track-lookup.js';

export interface ArtifactRoutesDeps {
  readonly db: Db;
  readonly store: ArtifactStore;
  readonly tracks: TrackLookup;
  readonly inputPacks: InputPackCache;
  readonly now: () => number;
}

/** Send a file whole; a stored path may sit under a dot folder (e.g. ~/.lpcv), which sendFile would hide. */
function sendWhole(res: Response, file: string, sha256: string): Promise<void> {
  return new Promise((resolve, reject) => {
    res.sendFile(file, { dotfiles: 'allow', headers: { 'Content-Type': 'application/octet-stream', 'X-Content-SHA256': sha256 } }, (e) =>
      e ? reject(e) : resolve(),
    );
  });
}

/**
 * What device agents download (agent token): a submission's artifact by sha256, and a split's input pack
 * (inputs only, never labels). The hash is checked by the store (LPCV_E_ARTIFACT_HASH: never a path) and
 * the bytes re-hashed before sending (LPCV_E_ARTIFACT_CORRUPT rather than a wrong model on a device); the
 * track is looked up by name and the split checked against it, so neither is ever a path.
 */
export function artifactRoutes(deps: ArtifactRoutesDeps): Router {
  const { db, store, tracks, inputPacks, now } = deps;
  const router = Router();

  router.get('/api/artifacts/:sha256', async (req: Request<{ sha256: string }>, res: Response) => {
    await requireAgent(db, req, now());
    const { sha256 } = req.params;
    await store.verify(sha256);
    await sendWhole(res, store.path(sha256), sha256);
  });

  router.get('/api/inputs/:track/:split', async (req: Request<{ track: string; split: string }>, res: Response) => {
    await requireAgent(db, req, now());
    const track = lookUpTrack(tracks, req.params.track);
    const pack = await inputPacks.get(track, req.params.split);
    await sendWhole(res, pack.file, pack.sha256);
  });

  return router;
}
