/** What every page route needs: the pages' response headers, a form field, the context of a page. */
import type { Request, Response } from 'express';
import type { Viewer } from '../leaderboard/viewer.js';
import { formToken, viewerOf, type WebAuth } from '../web/web-auth.js';
import type { PageContext } from './layout.js';

/** Headers of every page: no script, no frames, styles from this server only. */
export function pageHeaders(res: Response): void {
  res.setHeader(
    'Content-Security-Policy',
    "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  );
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'same-origin');
  res.setHeader('Cache-Control', 'no-store');
}

/** A text field of an urlencoded form post, or undefined. */
export function postedField(req: Request, name: string): string | undefined {
  const value = (req.body as Record<string, unknown> | undefined)?.[name];
  return typeof value === 'string' ? value : undefined;
}

export function sendPage(res: Response, status: number, page: string): void {
  pageHeaders(res);
  res.status(status).type('html').send(page);
}

export async function pageContext(auth: WebAuth, req: Request, res: Response, viewer?: Viewer): Promise<PageContext> {
  return { viewer: viewer ?? (await viewerOf(auth, req)), csrf: formToken(auth, req, res), path: req.path };
}
