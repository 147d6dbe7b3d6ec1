import type { PublicFailure } from '../submissions/track-failures.js';
import type { Track } from '../../harness/tracks/track.js';
import { html } from './html.js';
import { when } from './format.js';
import { renderPage, type PageContext } from './layout.js';

/**
 * /tracks/:track/failures: a track's failed submissions for everyone, when the track publishes them
 * (`participants.publicFailures`). Team, times, code and fault only: a failure's message and output may hold
 * a team's private details and stay on its own status page.
 */
export function trackFailuresPage(ctx: PageContext, track: Track, failures: readonly PublicFailure[], limit: number): string {
  const rows = failures.map(
    (f) => html`<tr>
  <td>${f.team}</td>
  <td>${when(f.submittedAt)}</td>
  <td>${when(f.failedAt)}</td>
  <td><code>${f.code}</code></td>
  <td>${f.fault === 'submission' ? "the submission's" : "the infrastructure's"}</td>
</tr>`,
  );
  const body = html`<h1>Failed submissions: ${track.title}</h1>
<p>The organizers of this track publish which submissions failed and why, by error code (<a href="/leaderboard/${track.name}">leaderboard</a>).
An infrastructure fault is not the team's and does not count against its quota.</p>
${
  failures.length === 0
    ? html`<p>None.</p>`
    : html`<table>
<caption>Newest first (at most ${limit})</caption>
<thead><tr><th scope="col">Team</th><th scope="col">Submitted</th><th scope="col">Failed</th><th scope="col">Code</th><th scope="col">Fault</th></tr></thead>
<tbody>${rows}</tbody></table>`
}`;
  return renderPage(ctx, { title: `Failed submissions of ${track.name}`, body });
}
