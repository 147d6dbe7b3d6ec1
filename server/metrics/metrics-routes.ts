/**
 * `GET /metrics` in the Prometheus text format, and the request-timing middleware that feeds
 * lpcv_http_request_duration_seconds (docs/operations.md, "Metrics").
 *
 * Who may scrape: on the server's own address, a request with `Authorization: Bearer <token>` where the token is
 * LPCV_METRICS_TOKEN (at least 32 characters) or the organizers' admin token; without either configured, the
 * route answers 404 as if it did not exist. `lpcv serve --metrics-listen HOST:PORT` serves the same metrics on
 * a separate address with no token (metricsOnlyApp), meant for a private network or loopback.
 */
import { createHash } from 'node:crypto';
import express, { type Express, type Request, type RequestHandler, type Response } from 'express';
import { LpcvError } from '../../errors/lpcv-error.js';
import { isAdminToken, type AdminToken } from '../auth/index.js';
import type { ServerMetrics } from './server-metrics.js';

export const METRICS_TOKEN_ENV = 'LPCV_METRICS_TOKEN';
export const METRICS_TOKEN_MIN_LENGTH = 32;

/**
 * The metrics token from the environment, read once at start-up and kept as its digest (as the admin token is):
 * null when unset, LPCV_E_USAGE when too short or holding whitespace.
 */
export function metricsTokenFromEnv(env: Readonly<Record<string, string | undefined>>): AdminToken | null {
  const token = env[METRICS_TOKEN_ENV];
  if (token === undefined || token === '') return null;
  if (token.length < METRICS_TOKEN_MIN_LENGTH || /\s/.test(token))
    throw new LpcvError('LPCV_E_USAGE', `${METRICS_TOKEN_ENV} must be at least ${METRICS_TOKEN_MIN_LENGTH} characters without spaces (got ${token.length})`);
  return { digest: createHash('sha256').update(token, 'utf8').digest() };
}

/** Times every request; the route label is the matched pattern (`/api/submissions/:id`), or `unmatched`. */
export function httpMetrics(metrics: ServerMetrics): RequestHandler {
  return (req, res, next) => {
    const end = metrics.http.startTimer();
    res.once('finish', () => {
      const pattern = (req.route as { path?: unknown } | undefined)?.path;
      const route = typeof pattern === 'string' ? `${req.baseUrl}${pattern}` : 'unmatched';
      end({ method: req.method, route, status: String(res.statusCode) });
    });
    next();
  };
}

async function answer(metrics: ServerMetrics, res: Response): Promise<void> {
  const text = await metrics.registry.metrics();
  res.setHeader('Content-Type', metrics.registry.contentType);
  res.setHeader('Cache-Control', 'no-store');
  res.send(text);
}

/** The /metrics route on the server's address: bearer token (metrics or admin), else not found. */
export function metricsRoute(o: { metrics: ServerMetrics; metricsToken: AdminToken | null; admin: AdminToken | null }): RequestHandler {
  return async (req: Request, res: Response, next) => {
    try {
      if (o.metricsToken === null && o.admin === null) {
        res.status(404).type('text/plain').send('Not Found\n');
        return;
      }
      const header = req.get('authorization') ?? '';
      const given = header.startsWith('Bearer ') ? header.slice('Bearer '.length).trim() : '';
      const ok = isAdminToken(given, o.metricsToken) || isAdminToken(given, o.admin);
      if (!ok) {
        res.setHeader('WWW-Authenticate', 'Bearer realm="lpcv metrics"');
        throw new LpcvError('LPCV_E_UNAUTHORIZED', `GET /metrics needs Authorization: Bearer with ${METRICS_TOKEN_ENV} or the admin token`);
      }
      await answer(o.metrics, res);
    } catch (e) {
      next(e);
    }
  };
}

/** The separate metrics address (`--metrics-listen`): /metrics with no token, nothing else. */
export function metricsOnlyApp(metrics: ServerMetrics): Express {
  const app = express();
  app.disable('x-powered-by');
  app.get('/metrics', (_req, res, next) => void answer(metrics, res).catch(next));
  app.use((_req, res) => void res.status(404).type('text/plain').send('Not Found\n'));
  return app;
}
