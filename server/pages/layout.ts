import type { Viewer } from '../leaderboard/viewer.js';
import { html, type Html } from './html.js';

/** What every page knows about its request. */
export interface PageContext {
  readonly viewer: Viewer;
  /** This browser's form token (server/web/web-auth.ts formToken), for the forms on the page. */
  readonly csrf: string;
  /** The request path, to mark the current navigation link. */
  readonly path: string;
}

export interface PageOptions {
  readonly title: string;
  readonly body: Html;
  /** Reload the page every so many seconds (a queued or running submission), unless the viewer turned it off. */
  readonly refreshSeconds?: number;
}

/** The hidden form-token field every POST form of the pages carries. */
export function csrfField(ctx: PageContext): Html {
  return html`<input type="hidden" name="_csrf" value="${ctx.csrf}">`;
}

function navLink(ctx: PageContext, href: string, label: string): Html {
  const current = href === '/' ? ctx.path === '/' : ctx.path === href || ctx.path.startsWith(`${href}/`);
  return html`<li><a href="${href}"${current ? html` aria-current="page"` : ''}>${label}</a></li>`;
}

function whoIsIt(ctx: PageContext): Html {
  const v = ctx.viewer;
  if (v.kind === 'anonymous') return html`<a href="/account">Sign in</a> · <a href="/login">Log in with a token</a>`;
  const who = v.kind === 'admin' ? html`Logged in as <strong>admin</strong>` : html`Team <strong>${v.teamName}</strong>`;
  return html`<span>${who}</span>
    <form method="post" action="/logout" class="inline">${csrfField(ctx)}<button type="submit" class="link">Log out</button></form>`;
}

/** A whole HTML document: skip link, navigation, the page's main content. No script anywhere. */
export function renderPage(ctx: PageContext, o: PageOptions): string {
  const refresh = o.refreshSeconds !== undefined ? html`<meta http-equiv="refresh" content="${o.refreshSeconds}">` : '';
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${o.title} · LPCV benchmark</title>
<link rel="stylesheet" href="/static/style.css">
${refresh}
</head>
<body>
<a class="skip" href="#main">Skip to the content</a>
<header class="site">
  <nav aria-label="Main">
    <a class="brand" href="/">LPCV benchmark</a>
    <ul>${navLink(ctx, '/', 'Tracks')}${navLink(ctx, '/submit', 'Submit')}${ctx.viewer.kind !== 'anonymous' ? navLink(ctx, '/submissions', 'Submissions') : ''}${navLink(ctx, '/account', 'Account')}${ctx.viewer.kind === 'admin' ? html`${navLink(ctx, '/admin/devices', 'Devices')}${navLink(ctx, '/admin/teams', 'Teams')}${navLink(ctx, '/admin/operations', 'Operations')}${navLink(ctx, '/admin/notifications', 'Notifications')}` : ''}</ul>
    <div class="who">${whoIsIt(ctx)}</div>
  </nav>
</header>
<main id="main" tabindex="-1">
${o.body}
</main>
<footer class="site"><p>Scores are computed on the server with the same code as <code>lpcv score</code>. <a href="/api/leaderboard">API</a></p></footer>
</body>
</html>
`.text;
}
