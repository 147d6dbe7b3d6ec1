import type { Leaderboard, LeaderboardEntry } from '../leaderboard/index.js';
import { html, type Html } from './html.js';
import { ms, percent, scoreText, when } from './format.js';
import { csrfField, renderPage, type PageContext } from './layout.js';
import { scatterPlotSvg } from './scatter-plot.js';

function teamCell(e: LeaderboardEntry): Html {
  return e.baseline !== null ? html`<span class="tag">baseline</span> ${e.baseline}` : html`${e.team}`;
}

function energyCell(e: LeaderboardEntry): Html {
  if (e.energy !== null) return html`${e.energy.joules.toPrecision(4)} J`;
  return html`<span title="${e.energyNote ?? 'not measured'}">not measured</span>`;
}

function row(ctx: PageContext, e: LeaderboardEntry): Html {
  const mine = ctx.viewer.kind === 'admin' || (ctx.viewer.kind === 'team' && e.baseline === null && e.team === ctx.viewer.teamName);
  const submission = mine ? html`<a href="/submissions/${e.submission}"><code>${e.submission}</code></a>` : html`<code>${e.submission}</code>`;
  const latency = e.latency === null ? html`—` : html`${ms(e.latency.p50)} <span class="hint">[${e.latency.ci95[0].toPrecision(3)}, ${e.latency.ci95[1].toPrecision(3)}]</span>`;
  return html`<tr id="entry-${e.submission}"${e.baseline !== null ? html` class="baseline"` : ''}>
  <td class="num">${e.rank ?? '—'}</td>
  <th scope="row">${teamCell(e)}${e.pareto ? html` <span class="tag" title="no entry is both faster and more accurate">Pareto</span>` : ''}</th>
  <td>${submission}</td>
  <td class="num">${percent(e.accuracy)}</td>
  <td class="num">${latency}</td>
  <td>${energyCell(e)}</td>
  <td class="num">${scoreText(e.score)}${e.qualified ? '' : html` <span class="tag" title="${e.reason ?? ''}">not qualified</span>`}</td>
  <td>${when(e.finishedAt)}</td>
</tr>`;
}

function visibilityNotice(ctx: PageContext, b: Leaderboard): Html {
  if (!b.hiddenSplit) return html`<p>Scored on the public split <code>${b.split}</code>.</p>`;
  if (b.revealedAt !== null) return html`<p>Scored on the hidden split <code>${b.split}</code>; the organizers revealed the results ${when(b.revealedAt)}.</p>`;
  const who = ctx.viewer.kind === 'admin' ? 'You see every entry as an admin.' : `You see the baselines${ctx.viewer.kind === 'team' ? ' and your own team' : ''} only.`;
  return html`<div class="notice" id="visibility"><p>Scored on the hidden split <code>${b.split}</code>. Results stay private to each team until the organizers reveal them. ${who}${b.withheld > 0 ? ` ${b.withheld} other entr${b.withheld === 1 ? 'y is' : 'ies are'} not shown yet.` : ''}${b.complete ? '' : ' Ranks are shown once every entry is.'}</p></div>`;
}

function adminControls(ctx: PageContext, b: Leaderboard): Html {
  if (ctx.viewer.kind !== 'admin' || !b.hiddenSplit) return html``;
  const action = b.revealedAt === null ? 'reveal' : 'hide';
  const label = b.revealedAt === null ? 'Reveal the hidden-split results to everyone' : 'Hide the results again';
  return html`<form method="post" action="/leaderboard/${b.track}/${action}">${csrfField(ctx)}<button type="submit" class="secondary">${label}</button></form>`;
}

export function leaderboardPage(ctx: PageContext, b: Leaderboard): string {
  const plot = scatterPlotSvg(b.entries, b.metric);
  const figure =
    plot === null
      ? html`<p>No scored entries yet.</p>`
      : html`<figure class="plot" id="plot">${plot}<figcaption>${b.metric} accuracy against median latency per image (log scale), with each median's 95% interval. The dashed line is the Pareto front; grey squares are baselines. The table below holds the same numbers.</figcaption></figure>`;
  const body = html`<h1>Leaderboard: ${b.title}</h1>
${visibilityNotice(ctx, b)}
<p>Score: <code>${b.formula}</code>; accuracy shown: <code>${b.metric}</code>. Best entry per team; baselines are the organizers' reference models and take no rank.
Ties in score go to the earlier submission. <a href="/api/leaderboard/${b.track}">JSON</a> · <a href="/api/leaderboard/${b.track}?format=csv">CSV</a></p>
${adminControls(ctx, b)}
${figure}
<table id="leaderboard">
<caption>${b.entries.length} entr${b.entries.length === 1 ? 'y' : 'ies'}</caption>
<thead><tr><th scope="col" class="num">Rank</th><th scope="col">Team</th><th scope="col">Submission</th><th scope="col" class="num">Accuracy (${b.metric})</th><th scope="col" class="num">Latency p50 [95% interval]</th><th scope="col">Energy</th><th scope="col" class="num">Score</th><th scope="col">Date</th></tr></thead>
<tbody>${b.entries.map((e) => row(ctx, e))}</tbody>
</table>`;
  return renderPage(ctx, { title: `Leaderboard: ${b.track}`, body });
}
