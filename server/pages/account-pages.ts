/**
 * The account pages (docs/accounts.md): sign up, sign in (password or e-mailed link), the confirmations
 * behind e-mailed links (a button, so that a mail scanner that opens links uses none), and the account's team:
 * create one, invite, remove, hand over the captaincy, leave, make an API token.
 */
import type { Account } from '../accounts/accounts-table.js';
import type { Member, Membership } from '../accounts/team-membership.js';
import { when } from './format.js';
import { html, type Html } from './html.js';
import { csrfField, renderPage, type PageContext } from './layout.js';

export interface PageError {
  readonly code: string;
  readonly message: string;
}

/** A notice after an action (e.g. "we sent a link"), or an error. */
export interface Flash {
  readonly notice?: string;
  readonly error?: PageError;
  /** A token shown once, right after it was made. */
  readonly token?: string;
}

function flash(f: Flash): Html {
  return html`${f.error ? html`<div class="error" role="alert" id="form-error"><p><code>${f.error.code}</code>: ${f.error.message}</p></div>` : ''}${
    f.notice ? html`<div class="notice" role="status"><p>${f.notice}</p></div>` : ''
  }`;
}

/** Signed out: sign in, ask for a link, sign up. */
export function signedOutPage(ctx: PageContext, o: { mailSends: boolean; registration: string; flash: Flash }): string {
  const mailNote = o.mailSends ? '' : html`<p class="notice">This server sends no e-mail: the organizers relay the links it writes to its log.</p>`;
  const signUp =
    o.registration === 'closed'
      ? html`<p>Registration is closed: the organizers add teams.</p>`
      : html`<form method="post" action="/account/sign-up">${csrfField(ctx)}
  <label for="up-email">E-mail</label><input type="email" id="up-email" name="email" required autocomplete="email" maxlength="254">
  <label for="up-password">Password (10 characters or more)</label><input type="password" id="up-password" name="password" required minlength="10" maxlength="200" autocomplete="new-password">
  <div class="actions"><button type="submit">Sign up</button></div>
</form>${o.registration === 'approval' ? html`<p>New teams wait for the organizers' approval before they may submit.</p>` : ''}`;
  const body = html`<h1>Account</h1>
${flash(o.flash)}${mailNote}
<h2>Sign in</h2>
<form method="post" action="/account/sign-in">${csrfField(ctx)}
  <label for="in-email">E-mail</label><input type="email" id="in-email" name="email" required autocomplete="username" maxlength="254">
  <label for="in-password">Password</label><input type="password" id="in-password" name="password" required autocomplete="current-password" maxlength="200">
  <div class="actions"><button type="submit">Sign in</button></div>
</form>
<h2>Sign in with a link</h2>
<form method="post" action="/account/sign-in/link">${csrfField(ctx)}
  <label for="link-email">E-mail</label><input type="email" id="link-email" name="email" required autocomplete="email" maxlength="254">
  <div class="actions"><button type="submit" class="secondary">E-mail me a sign-in link</button></div>
</form>
<h2>Sign up</h2>
${signUp}
<p>A team token from the organizers works too: <a href="/login">log in with a token</a>.</p>`;
  return renderPage(ctx, { title: 'Account', body });
}

/** What an e-mailed link leads to: one button that does it (POST, with the link's token). */
export function confirmLinkPage(ctx: PageContext, o: { title: string; action: string; token: string; button: string; text: string }): string {
  const body = html`<h1>${o.title}</h1>
<p>${o.text}</p>
<form method="post" action="${o.action}">${csrfField(ctx)}<input type="hidden" name="token" value="${o.token}">
<div class="actions"><button type="submit">${o.button}</button></div></form>`;
  return renderPage(ctx, { title: o.title, body });
}

function membersTable(ctx: PageContext, account: Account, team: Membership, members: readonly Member[]): Html {
  const captain = team.role === 'captain';
  const rows = members.map(
    (m) =>
      html`<tr><th scope="row">${m.email}</th><td>${m.role}</td><td>${when(m.joinedAt)}</td><td>${
        captain && m.accountId !== account.id
          ? html`<form method="post" action="/account/team/remove" class="inline">${csrfField(ctx)}<input type="hidden" name="account" value="${m.accountId}"><button type="submit" class="link">Remove ${m.email}</button></form>
<form method="post" action="/account/team/captain" class="inline">${csrfField(ctx)}<input type="hidden" name="account" value="${m.accountId}"><button type="submit" class="link">Make ${m.email} captain</button></form>`
          : ''
      }</td></tr>`,
  );
  return html`<table id="members"><caption>${members.length} member${members.length === 1 ? '' : 's'}</caption>
<thead><tr><th scope="col">Member</th><th scope="col">Role</th><th scope="col">Joined</th><th scope="col">Actions</th></tr></thead>
<tbody>${rows}</tbody></table>`;
}

/** Signed in: the account and its team. */
export function accountPage(
  ctx: PageContext,
  o: { account: Account; team: Membership | null; members: readonly Member[]; registration: string; flash: Flash },
): string {
  const { account, team } = o;
  const token = o.flash.token
    ? html`<div class="notice" role="status"><p>Your new API token (shown once; <code>lpcv submit --token-file</code> reads it from a file):</p><pre class="log" id="new-token">${o.flash.token}</pre></div>`
    : '';
  const teamSection =
    team === null
      ? html`<h2>Team</h2><p>You are in no team. Accept an invitation from a captain (the link in its e-mail), or create a team and invite the others.</p>
${
  o.registration === 'closed'
    ? html`<p>Registration is closed: no new teams.</p>`
    : html`<form method="post" action="/account/team">${csrfField(ctx)}
  <label for="team-name">Team name</label><input type="text" id="team-name" name="name" required maxlength="64">
  <div class="actions"><button type="submit">Create the team</button></div></form>`
}`
      : html`<h2>Team ${team.teamName}</h2>
${team.disabledAt !== null ? html`<p class="error">The organizers disabled this team.</p>` : team.approvedAt === null ? html`<p class="notice">This team waits for the organizers' approval before it may submit.</p>` : ''}
${membersTable(ctx, account, team, o.members)}
${
  team.role === 'captain'
    ? html`<form method="post" action="/account/team/invite">${csrfField(ctx)}
  <label for="invite-email">Invite by e-mail</label><input type="email" id="invite-email" name="email" required maxlength="254">
  <div class="actions"><button type="submit" class="secondary">Send the invitation</button></div></form>`
    : ''
}
<form method="post" action="/account/tokens">${csrfField(ctx)}<div class="actions"><button type="submit" class="secondary">Make an API token for lpcv submit</button></div></form>
<form method="post" action="/account/team/leave">${csrfField(ctx)}<div class="actions"><button type="submit" class="secondary">Leave ${team.teamName}</button></div></form>`;
  const body = html`<h1>Account</h1>
${flash(o.flash)}${token}
<p>Signed in as <strong id="account-email">${account.email}</strong>${account.verifiedAt === null ? ' (address not verified yet)' : ''}.</p>
<form method="post" action="/account/sign-out" class="inline">${csrfField(ctx)}<button type="submit" class="link">Sign out</button></form>
${teamSection}`;
  return renderPage(ctx, { title: 'Account', body });
}
