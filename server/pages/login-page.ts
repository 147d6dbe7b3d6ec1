import { html } from './html.js';
import { csrfField, renderPage, type PageContext } from './layout.js';

/** A path inside this site to go back to after logging in; anything else (another site, odd text) is "/". */
export function safeNext(next: unknown): string {
  return typeof next === 'string' && /^\/(?![/\\])[\x21-\x7e]*$/.test(next) ? next : '/';
}

/** The login form: a team token (or the admin token) for a session cookie. */
export function loginPage(ctx: PageContext, next: string, error?: { code: string; message: string }): string {
  const body = html`<h1>Log in</h1>
${error ? html`<div class="error" role="alert" id="login-error"><p><code>${error.code}</code>: ${error.message}</p></div>` : ''}
<p>Paste your team token (it starts with <code>lpcv_team_</code>; the organizers gave it to you) or the admin token.
The page keeps a session cookie for 12 hours instead of the token.</p>
<form method="post" action="/login">
  ${csrfField(ctx)}
  <input type="hidden" name="next" value="${next}">
  <label for="token">Token</label>
  <input type="password" id="token" name="token" required autocomplete="current-password" spellcheck="false"${error ? html` aria-describedby="login-error" aria-invalid="true"` : ''}>
  <div class="actions"><button type="submit">Log in</button></div>
</form>`;
  return renderPage(ctx, { title: 'Log in', body });
}
