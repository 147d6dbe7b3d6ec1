/**
 * The form on a submission's page that makes it its team's entry (tracks whose leaderboard says `entry: "selected"`;
 * docs/leaderboard.md). It posts to `/submissions/:id/select` (entry-selection-page-route.ts) with the form token.
 */
import { html, type Html } from './html.js';
import { csrfField, type PageContext } from './layout.js';

export interface EntrySelectionFormArgs {
  readonly track: string;
  readonly submissionId: string;
  /** Whether it is already the team's selected entry: then the page says so, and there is nothing to post. */
  readonly selected: boolean;
}

export function entrySelectionForm(ctx: PageContext, a: EntrySelectionFormArgs): Html {
  if (a.selected)
    return html`<p id="entry-selection"><span class="tag">selected</span> This submission is your team's entry on the <a href="/leaderboard/${a.track}">${a.track} leaderboard</a>.</p>`;
  return html`<form method="post" action="/submissions/${a.submissionId}/select" id="entry-selection">${csrfField(ctx)}
<p>The <a href="/leaderboard/${a.track}">${a.track} leaderboard</a> ranks the submission each team selects (its best until it selects one). Selecting this one replaces your team's earlier choice.</p>
<button type="submit">Select as our entry</button>
</form>`;
}
