/**
 * `POST /submissions/:id/select`: the page form (entry-selection-form.ts) that makes a submission its team's entry
 * (docs/leaderboard.md). The form token is checked first; a logged-in team only (its session, or its account's);
 * then the same selectEntry as the API. Refusals are thrown: mount the router under the pages' error pages
 * (page-routes' extraRoutes), which show them.
 */
import express, { Router } from 'express';
import type { Request, Response } from 'express';
import { LpcvError } from '../../errors/lpcv-error.js';
import type { Db } from '../db/index.js';
import { selectEntry } from '../leaderboard/index.js';
import { findTeamSubmission, SUBMISSION_ID } from '../submissions/submissions-table.js';
import { lookUpTrack, type TrackLookup } from '../tracks/track-lookup.js';
import { checkFormToken, CSRF_FIELD, viewerOf, type WebAuth } from '../web/web-auth.js';
import { postedField } from './page-kit.js';

export interface EntrySelectionPageDeps {
  readonly db: Db;
  readonly auth: WebAuth;
  readonly tracks: TrackLookup;
  readonly now: () => number;
}

export function entrySelectionPageRoute(deps: EntrySelectionPageDeps): Router {
  const { db, auth, now } = deps;
  const router = Router();
  const form = express.urlencoded({ extended: false, limit: 16 * 1024, parameterLimit: 10 });

  router.post('/submissions/:id/select', form, async (req: Request<{ id: string }>, res: Response) => {
    checkFormToken(auth, req, postedField(req, CSRF_FIELD));
    const viewer = await viewerOf(auth, req);
    if (viewer.kind === 'anonymous') throw new LpcvError('LPCV_E_UNAUTHORIZED', 'log in as the team first');
    if (viewer.kind !== 'team') throw new LpcvError('LPCV_E_FORBIDDEN', 'only the team that made a submission may select it as its entry');
    const id = req.params.id;
    const found = SUBMISSION_ID.test(id) ? await findTeamSubmission(db, viewer.teamId, id) : undefined;
    if (found === undefined) throw new LpcvError('LPCV_E_SUBMISSION_UNKNOWN', `there is no submission ${JSON.stringify(id)} of team ${viewer.teamName}`);
    const track = lookUpTrack(deps.tracks, found.track);
    await selectEntry(db, { teamId: viewer.teamId, track, submissionId: found.id, by: `${viewer.teamName} (web)` }, now());
    res.redirect(303, `/submissions/${found.id}`);
  });

  return router;
}
