import type { Competition } from '../../harness/competitions/competition.js';
import type { Track } from '../../harness/tracks/track.js';
import { submissionSplit } from '../../harness/tracks/split-policy.js';
import { html } from './html.js';
import { renderPage, type PageContext } from './layout.js';
import { phasesSection } from './phases-section.js';

/**
 * The home page: the tracks, each with its task, target, score and links to its leaderboard and the form; then
 * the competition's phases, when one was applied.
 */
export function homePage(ctx: PageContext, tracks: readonly Track[], competition: Competition | null = null, now = 0): string {
  const rows = tracks.map((t) => {
    const split = submissionSplit(t);
    const s = t.splits[split]!;
    return html`<tr>
  <th scope="row"><a href="/leaderboard/${t.name}">${t.title}</a><br><code>${t.name}</code></th>
  <td>${t.task}, ${t.classes.length} classes</td>
  <td>${t.target.kind}</td>
  <td>${split}: ${s.count} images${s.visibility === 'hidden' ? ' (hidden labels)' : ''}</td>
  <td><code>${t.score.formula}</code>${t.score.version !== undefined ? ` v${t.score.version}` : ''}</td>
  <td><a href="/leaderboard/${t.name}">Leaderboard</a> · <a href="/submit?track=${encodeURIComponent(t.name)}">Submit</a></td>
</tr>`;
  });
  const body = html`<h1>Tracks</h1>
<p>Each track is a vision task with a hidden test set, a class of target device and a score formula. Score your
model locally first with <code>lpcv score model.onnx --track NAME</code>: the server measures and scores with the
same code, on the track's hidden split.</p>
<table>
<caption>${tracks.length} track${tracks.length === 1 ? '' : 's'}</caption>
<thead><tr><th scope="col">Track</th><th scope="col">Task</th><th scope="col">Target</th><th scope="col">Scored on</th><th scope="col">Score</th><th scope="col">Links</th></tr></thead>
<tbody>${rows}</tbody>
</table>
${phasesSection(competition, now)}
${tracks.map((t) => (t.description ? html`<h2>${t.title}</h2><p>${t.description}</p>` : ''))}
<h2>Submitting from a shell</h2>
<pre class="log">lpcv submit model.onnx --track ${tracks[0]?.name ?? 'TRACK'} --server URL --token-file team.token --wait
curl -H "Authorization: Bearer $TOKEN" -F track=${tracks[0]?.name ?? 'TRACK'} -F file=@model.onnx URL/api/submissions</pre>`;
  return renderPage(ctx, { title: 'Tracks', body });
}
