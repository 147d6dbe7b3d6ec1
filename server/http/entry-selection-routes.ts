import { Router } from 'express';
import type { Request, Response } from 'express';
import { LpcvError } from '../../errors/lpcv-error.js';
import type { Db } from '../db/index.js';
import { selectEntry } from '../leaderboard/index.js';
import { findTeamSubmission, SUBMISSION_ID } from '../submissions/submissions-table.js';
import { lookUpTrack, type TrackLookup } from '../tracks/track-lookup.js';
import { requireTeam } from './team-principal.js';

export interface EntrySelectionRoutesDeps {
  readonly db: Db;
  readonly tracks: TrackLookup;
  readonly now: () => number;
}

/** The answer of POST /api/submissions/:id/select. */
export interface EntrySelectionBody {
  track: string;
  submission: string;
  /** ISO 8601. */
  selectedAt: string;
}

/**
 * `POST /api/submissions/:id/select` (team token): the submission becomes its team's entry on its track, on a track
 * whose leaderboard says `entry: "selected"` (docs/leaderboard.md, docs/api.md). Selecting again replaces the choice.
 */
export function entrySelectionRoutes(deps: EntrySelectionRoutesDeps): Router {
  const { db, now } = deps;
  const router = Router();

  router.post('/api/submissions/:id/select', async (req: Request<{ id: string }>, res: Response) => {
    const team = await requireTeam(db, req, now());
    const id = req.params.id;
    const found = SUBMISSION_ID.test(id) ? await findTeamSubmission(db, team.ownerId, id) : undefined;
    // Another team's submission is "unknown" too, as for GET /api/submissions/:id.
    if (found === undefined) throw new LpcvError('LPCV_E_SUBMISSION_UNKNOWN', `no submission ${JSON.stringify(id)} for team ${team.ownerName}`);
    const track = lookUpTrack(deps.tracks, found.track);
    const selection = await selectEntry(db, { teamId: team.ownerId, track, submissionId: found.id, by: `${team.ownerName} (api)` }, now());
    const body: EntrySelectionBody = { track: selection.track, submission: selection.submissionId, selectedAt: new Date(selection.selectedAt).toISOString() };
    res.json(body);
  });

  return router;
}
