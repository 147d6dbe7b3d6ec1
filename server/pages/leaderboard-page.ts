import { defaultOrder, ROBUST_COLUMN, viewQuery, type Leaderboard, type LeaderboardEntry, type OtherRank, type ViewChange } from '../leaderboard/index.js';
import type { RescoreReport } from '../rescore/index.js';
import { html, type Html } from './html.js';
import { percent, scoreText, when } from './format.js';
import { latencyCell, latencyHeader } from './latency-statistic.js';
import { csrfField, renderPage, type PageContext } from './layout.js';
import { scatterLegend, scatterPlotSvg } from './scatter-plot.js';
import { metricLabel } from '../../scoring/formulas/measure-names.js';

const TIE_TITLE =
  "statistically tied: the intervals of the latency statistic the scores used overlap (between trials; the median's for a result without trials) and the accuracies are equal to one image";

function teamCell(e: LeaderboardEntry): Html {
  if (e.baseline !== null) return html`<span class="tag">baseline</span> ${e.baseline}`;
  return e.selected ? html`${e.team} <span class="tag" title="the submission this team selected as its entry">selected</span>` : html`${e.team}`;
}

function energyCell(e: LeaderboardEntry): Html {
  if (e.energy !== null) return html`${e.energy.joules.toPrecision(4)} J`;
  return html`<span title="${e.energyNote ?? 'not measured'}">not measured</span>`;
}

/** "3", "=3" with the tie marker, or an em dash. */
function rankCell(r: { shownRank: number | null; tied: boolean }): Html {
  if (r.shownRank === null) return html`—`;
  return r.tied ? html`=${r.shownRank} <span class="tag" title="${TIE_TITLE}">tie</span>` : html`${r.shownRank}`;
}

function otherRank(r: OtherRank | null): Html {
  return r === null ? html`—` : rankCell(r);
}

/** The other board's rank column, when this board gives it. */
function otherColumn(b: Leaderboard): 'public' | 'private' | null {
  if (b.publicSplit === null) return null;
  if (b.board === 'private') return b.complete ? 'public' : null;
  return b.entries.some((e) => e.privateRank !== null) ? 'private' : null;
}

function row(ctx: PageContext, b: Leaderboard, e: LeaderboardEntry, withReason: boolean): Html {
  const mine = ctx.viewer.kind === 'admin' || (ctx.viewer.kind === 'team' && e.baseline === null && e.team === ctx.viewer.teamName);
  const submission = mine ? html`<a href="/submissions/${e.submission}"><code>${e.submission}</code></a>` : html`<code>${e.submission}</code>`;
  const latency = latencyCell(b, e);
  const other = otherColumn(b);
  return html`<tr id="entry-${e.submission}"${e.baseline !== null ? html` class="baseline"` : ''}>
  <td class="num">${rankCell(e)}</td>
  ${other === null ? '' : html`<td class="num">${otherRank(other === 'public' ? e.publicRank : e.privateRank)}</td>`}
  <th scope="row">${teamCell(e)}${e.pareto ? html` <span class="tag" title="no entry is both faster and more accurate">Pareto</span>` : ''}</th>
  <td>${submission}</td>
  <td class="num">${percent(e.accuracy)}</td>
  ${b.robustness.map((c) => html`<td class="num">${percent(e.robustness?.[c] ?? null)}</td>`)}
  <td class="num">${latency}</td>
  <td>${energyCell(e)}</td>
  <td class="num">${scoreText(e.score)}${e.qualified ? '' : html` <span class="tag" title="${e.reason ?? ''}">not qualified</span>`}</td>
  <td>${when(e.finishedAt)}</td>
  ${withReason ? html`<td>${e.reason ?? '—'}</td>` : ''}
</tr>`;
}

const href = (b: Leaderboard, change: ViewChange): string => `/leaderboard/${b.track}${viewQuery(b, change)}`;

/**
 * A sortable column's header: a link to the board sorted by it (the better end first; the other order when it is
 * the column sorted by now), aria-sort on the column sorted by. Server-side: no script.
 */
function sortHeader(b: Leaderboard, column: string, label: string, o: { num?: boolean; id?: string; title?: string } = {}): Html {
  const sorted = b.sort.column === column;
  const order = sorted ? (b.sort.order === 'asc' ? 'desc' : 'asc') : defaultOrder(column);
  const ariaSort = sorted ? html` aria-sort="${b.sort.order === 'asc' ? 'ascending' : 'descending'}"` : '';
  const arrow = sorted ? html` <span aria-hidden="true">${b.sort.order === 'asc' ? '▲' : '▼'}</span>` : '';
  return html`<th scope="col"${o.num === false ? '' : html` class="num"`}${o.id === undefined ? '' : html` id="${o.id}"`}${ariaSort}${o.title === undefined ? '' : html` title="${o.title}"`}><a href="${href(b, { sort: column, order })}">${label}</a>${arrow}</th>`;
}

/** The header row of both tables; the ids go on the first table's only. */
function headerRow(b: Leaderboard, first: boolean, withReason: boolean): Html {
  const other = otherColumn(b);
  return html`<tr>${sortHeader(b, 'rank', 'Rank')}${other === null ? '' : html`<th scope="col" class="num">${other === 'public' ? 'Public rank' : 'Private rank'}</th>`}<th scope="col">Team</th><th scope="col">Submission</th>${sortHeader(b, b.metric, `${metricLabel(b.metric)}, %`)}${b.robustness.map((c) => robustnessHeader(b, c))}${sortHeader(b, 'latency', latencyHeader(b), first ? { id: 'latency-column' } : {})}${sortHeader(b, 'energy', 'Energy', { num: false })}${sortHeader(b, 'score', `Score (${b.formula}, higher is better)`)}${sortHeader(b, 'date', 'Date', { num: false })}${withReason ? html`<th scope="col">Reason</th>` : ''}</tr>`;
}

const entriesText = (n: number): string => `${n} entr${n === 1 ? 'y' : 'ies'}`;

/** How the rows are ordered, for the captions: nothing in the rank order. */
function sortedBy(b: Leaderboard): string {
  if (b.sort.column === 'rank' && b.sort.order === 'asc') return '';
  const column = b.sort.column === b.metric ? metricLabel(b.metric) : b.sort.column;
  return `, sorted by ${column} (${b.sort.order === 'asc' ? 'ascending' : 'descending'}; the ranks are unchanged)`;
}

/**
 * The qualified entries (ranked, with the baselines), then those that do not qualify in a table of their own with
 * each one's reason, as the LPCVC 2025 boards list them.
 */
function entryTables(ctx: PageContext, b: Leaderboard): Html {
  const qualified = b.entries.filter((e) => e.qualified);
  const disqualified = b.entries.filter((e) => !e.qualified);
  const main = html`<table id="leaderboard">
<caption>${entriesText(qualified.length)}${sortedBy(b)}</caption>
<thead>${headerRow(b, true, false)}</thead>
<tbody>${qualified.map((e) => row(ctx, b, e, false))}</tbody>
</table>`;
  if (disqualified.length === 0) return main;
  return html`${main}
<table id="disqualified">
<caption>Disqualified (not ranked): ${entriesText(disqualified.length)} outside the track's limits or without a score${sortedBy(b)}</caption>
<thead>${headerRow(b, false, true)}</thead>
<tbody>${disqualified.map((e) => row(ctx, b, e, true))}</tbody>
</table>`;
}

/** Links to each competition phase's board (and its rounds), keeping the board and the sort; the current one marked. */
function phaseLinks(b: Leaderboard): Html {
  if (b.phases.length === 0) return html``;
  const current = (phase: string | null, round: string | null): Html =>
    (b.phaseFilter?.phase ?? null) === phase && (b.phaseFilter?.round ?? null) === round ? html` aria-current="page"` : html``;
  const link = (label: string, phase: string | null, round: string | null): Html =>
    html`<a href="${href(b, { phase, round })}"${current(phase, round)}>${label}</a>`;
  const items = b.phases.map(
    (p) =>
      html`<li>${link(p.title, p.name, null)}${p.rounds.length === 0 ? '' : html` (rounds: ${p.rounds.map((r, i) => html`${i === 0 ? '' : ', '}${link(r, p.name, r)}`)})`}</li>`,
  );
  const restricted =
    b.phaseFilter === null
      ? ''
      : html`<p id="phase-filter">Only the submissions made in phase <strong>${b.phases.find((p) => p.name === b.phaseFilter!.phase)?.title ?? b.phaseFilter.phase}</strong>${b.phaseFilter.round === null ? '' : html`, round <strong>${b.phaseFilter.round}</strong>`}; the baselines stand on every phase's board.</p>`;
  return html`<nav aria-label="Boards by phase" id="phase-boards"><ul><li>${link('All phases', null, null)}</li>${items}</ul></nav>
${restricted}`;
}

/** A robustness column beside the clean accuracy: the corruption mean, or one adversarial set, in the board's metric. */
function robustnessHeader(b: Leaderboard, column: string): Html {
  const [, set] = column.split('~');
  return column === ROBUST_COLUMN
    ? html`<th scope="col" class="num" title="mean over the track's corrupted splits (docs/robustness.md)">${metricLabel(b.metric)} corrupted, %</th>`
    : html`<th scope="col" class="num" title="the adversarial set ${column} (docs/robustness.md)">${metricLabel(b.metric)} ${set ?? column}, %</th>`;
}

const revealer = (b: Leaderboard): string => (b.revealedBy === 'phase' ? 'The end of a phase' : 'The organizers');

/** The competition phase open on the track, and whether its board is hidden while it runs. */
function phaseNotice(ctx: PageContext, b: Leaderboard): Html {
  if (b.phase === null) return html``;
  const hidden = b.phase.boardVisible
    ? ''
    : ctx.viewer.kind === 'admin'
      ? ' Its board is hidden from participants while it runs; you see every entry as an admin.'
      : ` Its board is hidden while it runs: you see the baselines${ctx.viewer.kind === 'team' ? ' and your own team' : ''} only.`;
  return html`<p id="phase">Phase <strong>${b.phase.title}</strong> is open until ${when(b.phase.endsAt)}.${hidden} <a href="/#phases">All phases</a></p>`;
}

function visibilityNotice(ctx: PageContext, b: Leaderboard): Html {
  if (b.board === 'public') {
    const after =
      b.revealedAt !== null
        ? html` ${revealer(b)} revealed the final results ${when(b.revealedAt)}: <a href="/leaderboard/${b.track}?board=private">the private leaderboard</a>.`
        : html` The final ranking is on the private split <code>${b.privateSplit}</code>, shown once the organizers reveal it.`;
    return html`<div class="notice" id="visibility"><p>Public leaderboard: scored on the split <code>${b.split}</code> during the competition.${after}</p></div>`;
  }
  const publicLink =
    b.publicSplit === null ? '' : html` <a href="/leaderboard/${b.track}?board=public">The public leaderboard</a> (split <code>${b.publicSplit}</code>).`;
  if (!b.hiddenSplit) return html`<p>Scored on the public split <code>${b.split}</code>.${publicLink}</p>`;
  if (b.revealedAt !== null)
    return html`<p>Private leaderboard: scored on the hidden split <code>${b.split}</code>; ${revealer(b).toLowerCase()} revealed the results ${when(b.revealedAt)}.${publicLink}</p>`;
  const who =
    ctx.viewer.kind === 'admin' ? 'You see every entry as an admin.' : `You see the baselines${ctx.viewer.kind === 'team' ? ' and your own team' : ''} only.`;
  return html`<div class="notice" id="visibility"><p>Scored on the hidden split <code>${b.split}</code>. Results stay private to each team until the organizers reveal them. ${who}${b.withheld > 0 ? ` ${b.withheld} other entr${b.withheld === 1 ? 'y is' : 'ies are'} not shown yet.` : ''}${b.complete ? '' : ' Ranks are shown once every entry is.'}${publicLink}</p></div>`;
}

function adminControls(ctx: PageContext, b: Leaderboard): Html {
  if (ctx.viewer.kind !== 'admin') return html``;
  const action = b.revealedAt === null ? 'reveal' : 'hide';
  const label = b.revealedAt === null ? 'Reveal the hidden-split results to everyone' : 'Hide the results again';
  const reveal = b.privateHidden
    ? html`<form method="post" action="/leaderboard/${b.track}/${action}">${csrfField(ctx)}<button type="submit" class="secondary">${label}</button></form>`
    : html``;
  return html`${reveal}
<details id="rescore"><summary>Re-score this track</summary>
<form method="post" action="/leaderboard/${b.track}/rescore">${csrfField(ctx)}
<p>Recomputes every stored result's score from its raw measurements with another formula or other parameters; no device runs again. Every re-score is logged (docs/rescoring.md).</p>
<label>Formula (<code>name@version</code>; empty: keep <code>${b.formula}</code>) <input name="formula" type="text" maxlength="200" placeholder="${b.formula}"></label>
<label>Parameters (<code>key=value</code>, one per line) <textarea name="params" rows="3" maxlength="10000"></textarea></label>
<label><input name="trackFile" type="checkbox" value="1"> Back to the track file's formula</label>
<label><input name="dryRun" type="checkbox" value="1" checked> Dry run: show the changes, store nothing</label>
<button type="submit" class="secondary">Re-score</button>
</form></details>`;
}

function rules(b: Leaderboard): Html {
  const which =
    b.entryRule === 'latest'
      ? "Each team's latest scored submission counts"
      : b.entryRule === 'selected'
        ? "Each team's selected submission counts (its best until it selects one)"
        : 'Best entry per team';
  const chosen = b.publicSplit !== null ? ' (chosen on the public leaderboard)' : '';
  return html`${which}${chosen}; baselines are the organizers' reference models and take no rank. Equal scores go to the earlier submission.
Entries marked <span class="tag" title="${TIE_TITLE}">tie</span> share a rank ("=3"): the intervals of the latency their scores used overlap (between trials; the median's for a result without trials) and their accuracies are equal to one image, so the measurement cannot order them.`;
}

export function leaderboardPage(ctx: PageContext, b: Leaderboard): string {
  const plot = scatterPlotSvg(b.entries, b.metric);
  const figure =
    plot === null
      ? html`<p>No scored entries yet.</p>`
      : html`<figure class="plot" id="plot">${plot}${scatterLegend(b.entries)}<figcaption>${metricLabel(b.metric)} against median latency per image (log scale), with each median's 95% interval. Labels that would overlap are left out; the table below is the full key and holds the same accuracies; its latency column is the statistic the scores used.</figcaption></figure>`;
  const title = b.publicSplit === null ? b.title : `${b.title} (${b.board})`;
  const body = html`<h1>Leaderboard: ${title}</h1>
${phaseNotice(ctx, b)}
${phaseLinks(b)}
${visibilityNotice(ctx, b)}
<p>Score: <code>${b.formula}</code>${b.formulaSource === 'rescore' ? html` <span class="tag" title="set by a re-score, over the track file's formula">re-scored</span>` : ''}; accuracy shown: <code>${b.metric}</code>. ${rules(b)}
<a href="/api/leaderboard/${b.track}${viewQuery(b)}">JSON</a> · <a href="/api/leaderboard/${b.track}${viewQuery(b, { format: 'csv' })}">CSV</a></p>
${adminControls(ctx, b)}
${figure}
${entryTables(ctx, b)}`;
  return renderPage(ctx, { title: `Leaderboard: ${b.track}`, body });
}

const paramsText = (p: Readonly<Record<string, unknown>>): string =>
  Object.entries(p)
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(', ') || 'no parameters';

/** What a re-score from the page did (or, as a dry run, would do). */
export function rescoreResultPage(ctx: PageContext, r: RescoreReport): string {
  const moved = r.changes.filter((c) => c.moved);
  const body = html`<h1>${r.dryRun ? 'Dry run of a re-score' : 'Re-scored'}: ${r.track}</h1>
<p id="rescore-summary"><code>${r.old.formula}</code> (${paramsText(r.old.params)}) → <code>${r.new.formula}</code> (${paramsText(r.new.params)}). ${r.results.total} stored result${r.results.total === 1 ? '' : 's'}: ${r.results.changed} score${r.results.changed === 1 ? '' : 's'} changed, ${r.results.failed} could not be re-scored. ${r.dryRun ? 'Nothing was stored but the audit log entry' : 'The new scores are stored and the leaderboard uses this formula from now on'} (entry ${r.auditId}).</p>
${r.failures.length === 0 ? '' : html`<ul id="rescore-failures">${r.failures.map((f) => html`<li><code>${f.submission}</code> (${f.split}): <code>${f.code}</code> ${f.message}</li>`)}</ul>`}
${
  moved.length === 0
    ? html`<p>No rank changed.</p>`
    : html`<table id="rank-changes"><caption>Rank changes</caption><thead><tr><th scope="col">Board</th><th scope="col">Team</th><th scope="col">Submission</th><th scope="col" class="num">From</th><th scope="col" class="num">To</th><th scope="col" class="num">Score before</th><th scope="col" class="num">Score after</th></tr></thead>
<tbody>${moved.map((c) => html`<tr><td>${c.board}</td><th scope="row">${c.baseline !== null ? html`<span class="tag">baseline</span> ${c.baseline}` : c.team}</th><td><code>${c.submission}</code></td><td class="num">${c.from?.shown ?? 'absent'}</td><td class="num">${c.to?.shown ?? 'absent'}</td><td class="num">${scoreText(c.from?.score)}</td><td class="num">${scoreText(c.to?.score)}</td></tr>`)}</tbody></table>`
}
<p><a href="/leaderboard/${r.track}">Back to the leaderboard</a></p>`;
  return renderPage(ctx, { title: `Re-score: ${r.track}`, body });
}
