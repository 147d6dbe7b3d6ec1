import type { IncomingMessage } from 'node:http';
import type { ErrorRequestHandler, RequestHandler } from 'express';
import { LpcvError } from '../../errors/lpcv-error.js';

/** Where unexpected errors (bugs, a database down) are reported; never the client. `req`: the request it broke. */
export type ErrorLog = (error: unknown, where: string, req?: IncomingMessage) => void;

export const stderrErrorLog: ErrorLog = (error, where) => {
  const text = error instanceof Error ? (error.stack ?? error.message) : String(error);
  process.stderr.write(`lpcv server: ${where}: ${text}\n`);
};

/** An /api path that no route answered. */
export const unknownApiRoute: RequestHandler = (req, _res, next) => {
  next(new LpcvError('LPCV_E_ROUTE_UNKNOWN', `no API route ${req.method} ${req.path}`));
};

/** What body-parser's errors carry (express.json). */
interface BodyParserError {
  type: string;
  status: number;
  limit?: number;
}

function isBodyParserError(e: unknown): e is BodyParserError {
  return typeof e === 'object' && e !== null && typeof (e as { type?: unknown }).type === 'string' && typeof (e as { status?: unknown }).status === 'number';
}

/** The LpcvError to answer with: coded errors as they are, body-parser's refusals coded, anything else internal. */
export function toHttpError(e: unknown): { error: LpcvError; internal: boolean } {
  if (e instanceof LpcvError) return { error: e, internal: false };
  if (isBodyParserError(e)) {
    if (e.type === 'entity.too.large') {
      return { error: new LpcvError('LPCV_E_BODY_TOO_LARGE', `the JSON body is larger than the limit of ${e.limit ?? '?'} bytes`), internal: false };
    }
    if (e.type === 'entity.parse.failed') return { error: new LpcvError('LPCV_E_BAD_REQUEST', 'the body is not valid JSON'), internal: false };
    if (e.status >= 400 && e.status < 500)
      return { error: new LpcvError('LPCV_E_BAD_REQUEST', `the request body cannot be read (${e.type})`), internal: false };
  }
  return { error: new LpcvError('LPCV_E_INTERNAL', 'internal server error (logged on the server)'), internal: true };
}

/**
 * Every error becomes `{ error: { code, message } }` with the code's HTTP status. Stacks and the text of
 * unexpected errors go to the log only.
 */
export function jsonErrorHandler(log: ErrorLog): ErrorRequestHandler {
  return (e: unknown, req, res, _next) => {
    const { error, internal } = toHttpError(e);
    if (internal) log(e, `${req.method} ${req.originalUrl}`, req);
    if (res.headersSent) {
      // Too late for a status: cut the response short so that the client sees it failed.
      req.socket.destroy();
      return;
    }
    res.status(error.httpStatus).json({ error: { code: error.code, message: error.message } });
  };
}
