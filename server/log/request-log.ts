import type { IncomingMessage } from 'node:http';
import type { Logger } from './server-logger.js';

/** The request's own logger (its lines carry `reqId`), when the app logs requests (requestLogger); else undefined. */
export function logOf(req: IncomingMessage): Logger | undefined {
  return (req as { log?: Logger }).log;
}
