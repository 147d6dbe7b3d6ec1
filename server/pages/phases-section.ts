import type { Competition } from '../../harness/competitions/competition.js';
import { openRound, phaseState, shortDuration } from '../../harness/competitions/phase-clock.js';
import { when } from './format.js';
import { html, type Html } from './html.js';

/**
 * The competition's phases on the home page: which tracks each covers, when it runs, whether it is open now
 * and the time left (or until it opens), its limits, its board. Nothing when no competition was applied.
 */
export function phasesSection(competition: Competition | null, now: number): Html {
  if (competition === null) return html``;
  const rows = competition.phases.map((p) => {
    const state = phaseState(p, now);
    const round = state === 'open' ? openRound(p, now) : null;
    const status =
      state === 'open'
        ? html`<strong>open</strong>: closes in ${shortDuration(p.endAt - now)}${round !== null ? html` (round ${round.name}, until ${when(round.endAt)})` : ''}`
        : state === 'upcoming'
          ? html`opens in ${shortDuration(p.startAt - now)}`
          : html`closed`;
    const limits = [
      p.quota.perDay !== null ? `${p.quota.perDay} a day` : null,
      p.quota.total !== null ? `${p.quota.total} in all` : null,
      p.quota.failed !== null ? `at most ${p.quota.failed} failed` : null,
    ].filter((x) => x !== null);
    const board = `${p.board} split${p.boardVisible ? '' : ', hidden while open'}${p.reveal === 'auto' ? ', revealed at the end' : ''}`;
    return html`<tr${state === 'open' ? html` class="open"` : ''}>
  <th scope="row">${p.title}<br><code>${p.name}</code></th>
  <td>${p.tracks.map((t, i) => html`${i > 0 ? ', ' : ''}<a href="/leaderboard/${t}">${t}</a>`)}</td>
  <td>${when(p.startAt)} to ${when(p.endAt)}</td>
  <td>${status}</td>
  <td>${limits.length === 0 ? 'the server\u2019s daily quota' : limits.join(', ')} per team and track</td>
  <td>${board}</td>
</tr>`;
  });
  return html`<h2 id="phases">${competition.title}: phases</h2>
<p>Submissions are accepted while a phase of their track is open. Failures of the infrastructure never count against a limit.</p>
<table id="phase-table">
<caption>${competition.phases.length} phase${competition.phases.length === 1 ? '' : 's'}</caption>
<thead><tr><th scope="col">Phase</th><th scope="col">Tracks</th><th scope="col">Runs</th><th scope="col">Now</th><th scope="col">Submissions</th><th scope="col">Board</th></tr></thead>
<tbody>${rows}</tbody>
</table>`;
}
