import type { TeamWithMembers } from '../accounts/team-membership.js';
import { when } from './format.js';
import { html } from './html.js';
import { csrfField, renderPage, type PageContext } from './layout.js';

/** The admin's teams page: every team, its members, its state, and the approve / disable / enable buttons. */
export function adminTeamsPage(ctx: PageContext, teams: readonly TeamWithMembers[]): string {
  const button = (t: TeamWithMembers, action: 'approve' | 'disable' | 'enable', label: string) =>
    html`<form method="post" action="/admin/teams/${t.id}/${action}" class="inline">${csrfField(ctx)}<button type="submit" class="link">${label} ${t.name}</button></form>`;
  const rows = teams.map((t) => {
    const state = t.disabledAt !== null ? 'disabled' : t.approvedAt === null ? 'waiting for approval' : 'active';
    const actions = [
      t.approvedAt === null ? button(t, 'approve', 'Approve') : '',
      t.disabledAt === null ? button(t, 'disable', 'Disable') : button(t, 'enable', 'Enable'),
    ];
    const members =
      t.members.length === 0
        ? html`none (a token team)`
        : t.members.map((m, i) => html`${i > 0 ? ', ' : ''}${m.email}${m.role === 'captain' ? ' (captain)' : ''}`);
    return html`<tr id="team-${t.id}"><th scope="row">${t.name}</th><td>${members}</td><td>${when(t.createdAt)}</td><td>${state}</td><td>${actions}</td></tr>`;
  });
  const body = html`<h1>Teams</h1>
<p>Disabling a team refuses its tokens and its members' sessions; its entries stay. Under registration "approval" a new team may submit once approved.</p>
<table id="teams"><caption>${teams.length} team${teams.length === 1 ? '' : 's'}</caption>
<thead><tr><th scope="col">Team</th><th scope="col">Members</th><th scope="col">Created</th><th scope="col">State</th><th scope="col">Actions</th></tr></thead>
<tbody>${rows}</tbody></table>`;
  return renderPage(ctx, { title: 'Teams', body });
}
