/** The server's HTTP API (docs/api.md): routes only. createApp returns the Express app; listening is the caller's. */
export { JSON_BODY_LIMIT_BYTES, createApp, type AppOptions } from './create-app.js';
export { stderrErrorLog, type ErrorLog } from './error-handler.js';
export type { SubmissionBody } from './submissions-routes.js';
