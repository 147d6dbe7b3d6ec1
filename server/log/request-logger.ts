/**
 * One log line per answered request, and `req.log` for the handlers' own lines, each with the request's id
 * (docs/operations.md, "Logs"). The id is the client's `X-Request-Id` when it is a plain token of at most 64
 * characters (a proxy's), else a fresh one; the answer carries it back in `X-Request-Id`. Lines carry the
 * method, the path with secret query values redacted, the status and the time: never a header, a cookie or a body.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { RequestHandler } from 'express';
import { pinoHttp } from 'pino-http';
import type { Logger } from './server-logger.js';

export const REQUEST_ID_HEADER = 'X-Request-Id';
const CLIENT_ID = /^[A-Za-z0-9._:-]{1,64}$/;
/** Query parameters whose values never reach a log line (links' tokens, and anything named like a secret). */
const SECRET_PARAM = /token|secret|password|passwd|key|code|sig|auth/i;

/** `url` with the values of secret-looking query parameters replaced by `[redacted]`. */
export function redactUrl(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return url;
  const params = url
    .slice(q + 1)
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      const name = eq < 0 ? pair : pair.slice(0, eq);
      return eq >= 0 && SECRET_PARAM.test(decodeURIComponentSafe(name)) ? `${name}=[redacted]` : pair;
    });
  return `${url.slice(0, q)}?${params.join('&')}`;
}

function decodeURIComponentSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/**
 * The device agents' successful traffic (leases, heartbeats, completions, downloads of models and inputs):
 * logged at debug, not info. The job lines (leased, done, failed) already say what it did, with the job's id.
 */
function routine(req: IncomingMessage & { originalUrl?: string }): boolean {
  return /^\/api\/(agent|artifacts|inputs)\//.test(urlOf(req));
}

/** The URL as the client sent it (express rewrites `req.url` inside routers; `originalUrl` keeps it). */
function urlOf(req: IncomingMessage & { originalUrl?: string }): string {
  return req.originalUrl ?? req.url ?? '';
}

export function requestLogger(logger: Logger): RequestHandler {
  return pinoHttp({
    logger: logger.child({ component: 'http' }),
    quietReqLogger: true,
    customAttributeKeys: { reqId: 'reqId' },
    genReqId: (req, res) => {
      const given = req.headers['x-request-id'];
      const id = typeof given === 'string' && CLIENT_ID.test(given) ? given : randomUUID();
      res.setHeader(REQUEST_ID_HEADER, id);
      return id;
    },
    serializers: {
      req: (req: { method?: string; url?: string }) => ({ method: req.method, url: redactUrl(req.url ?? '') }),
      res: (res: { statusCode?: number }) => ({ statusCode: res.statusCode }),
    },
    wrapSerializers: false,
    customLogLevel: (req, res, err) => {
      if (err !== undefined || res.statusCode >= 500) return 'error';
      if (res.statusCode >= 400) return 'warn';
      return routine(req) ? 'debug' : 'info';
    },
    customSuccessMessage: (req, res, ms) => `${req.method ?? '?'} ${redactUrl(urlOf(req))} ${res.statusCode} ${Math.round(ms)} ms`,
    customErrorMessage: (req, res) => `${req.method ?? '?'} ${redactUrl(urlOf(req))} ${res.statusCode}`,
    customProps: (_req, res) => ({ statusCode: res.statusCode }),
  }) as unknown as RequestHandler;
}
