import { html } from './html.js';
import { renderPage, type PageContext } from './layout.js';

/** A page for a coded error: what went wrong and its stable code, never a stack. */
export function errorPage(ctx: PageContext, title: string, code: string, message: string): string {
  const body = html`<h1>${title}</h1>
<div class="error" role="alert"><p><code>${code}</code>: ${message}</p></div>
<p><a href="/">Back to the tracks</a></p>`;
  return renderPage(ctx, { title, body });
}
