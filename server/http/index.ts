/** The server's HTTP API (docs/api.md). createApp returns the Express app; listening is the caller's. */
export { JSON_BODY_LIMIT_BYTES, createApp, type AppOptions } from './create-app.js';
export { stderrErrorLog, type ErrorLog } from './error-handler.js';
export { MAX_DESCRIPTION_BYTES } from './receive-submission-form.js';
export type { SubmissionStatus } from './submission-status.js';
export type { SubmissionBody } from './submissions-routes.js';
export { lookUpTrack, publicLeaderboardSplit, submissionSplit, type TrackLookup } from './track-lookup.js';
