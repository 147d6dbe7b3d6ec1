import { statusOfJob } from '../submissions/submission-status.js';
import type { StreamLog } from '../../harness/wire/index.js';
import type { JobEvent } from '../queue/index.js';
import { html, type Html } from './html.js';
import { layerProfileTable } from './layer-profile-table.js';
import { deviceLayersTable } from './device-layers-table.js';
import { intervalSource, relativeLatencyLine, statisticLine, validityLine } from './latency-statistic.js';
import { bytesText, ms, percent, scoreText, when } from './format.js';
import { entrySelectionForm } from './entry-selection-form.js';
import { renderPage, type PageContext } from './layout.js';
import type { SubmissionDetails, SubmissionSummary } from './submission-details.js';

/** While a submission waits or runs, its page reloads itself this often (unless `?refresh=off`). */
export const STATUS_REFRESH_SECONDS = 5;

const PHASES: Record<string, string> = {
  accuracy: 'accuracy pass (every image once)',
  warmup: 'warm-up runs',
  latency: 'timed runs',
};

function progressBlock(d: SubmissionDetails): Html {
  const p = d.progress;
  const device = d.device ? html`on device <strong>${d.device.name}</strong> (${d.device.kind}, agent ${d.device.agent})` : html`on a device`;
  if (p === null) return html`<p>Running ${device}: preparing (downloading the model and the inputs).</p>`;
  const count = p.done !== undefined && p.total !== undefined ? html` (${p.done.toLocaleString('en')} of ${p.total.toLocaleString('en')})` : '';
  const label = PHASES[p.phase] ?? p.phase;
  return html`<p>Running ${device}.</p>
<label for="progress">${label}${count}</label>
<progress id="progress" max="1" value="${p.fraction}">${percent(p.fraction)}</progress> <span>${percent(p.fraction)}</span>`;
}

function resultBlock(d: SubmissionDetails): Html {
  const r = d.result;
  if (r === null) return html``;
  const metrics = Object.entries(r.accuracy).map(([k, v]) => html`<dt>${k}</dt><dd>${percent(v)}</dd>`);
  const energy = r.energy
    ? html`${r.energy.joules.toPrecision(4)} J, ${r.energy.avgWatts.toPrecision(3)} W average (${r.energy.source}, ${r.energy.sampleCount} samples)`
    : html`not measured${r.energyNote ? html`: ${r.energyNote}` : ''}`;
  const trials = r.latency.trials?.length ?? 0;
  const medianInterval =
    trials > 0
      ? html`${intervalSource(trials, r.latency.betweenTrials?.p50.coverage ?? null)} [${ms(r.latency.ci95[0])}, ${ms(r.latency.ci95[1])}]; ${r.latency.count.toLocaleString('en')} timed runs in all`
      : html`95% interval [${ms(r.latency.ci95[0])}, ${ms(r.latency.ci95[1])}] over ${r.latency.count.toLocaleString('en')} timed runs`;
  const statistic = statisticLine(r);
  const relative = relativeLatencyLine(r);
  const validity = validityLine(r);
  return html`<h2>Result</h2>
<dl class="facts" id="result">
  ${metrics}
  <dt>Latency (median)</dt><dd>${ms(r.latency.p50)}, ${medianInterval}</dd>
  <dt>Latency (mean, p90, p99)</dt><dd>${ms(r.latency.mean)}, ${ms(r.latency.p90)}, ${ms(r.latency.p99)}</dd>
  ${relative === null ? '' : html`<dt>Relative latency</dt><dd id="relative-latency">${relative}</dd>`}
  <dt>Energy</dt><dd>${energy}</dd>
  <dt>Score</dt><dd><strong>${scoreText(r.score.value)}</strong> (${r.score.formula} v${r.score.version}${r.score.qualified ? '' : html`, does not qualify${r.score.reason ? html`: ${r.score.reason}` : ''}`})</dd>
  ${statistic === null ? '' : html`<dt>Latency the score used</dt><dd id="score-statistic">${statistic}</dd>`}
  ${validity === null ? '' : html`<dt>Validity</dt><dd id="validity">${validity}</dd>`}
  <dt>Target</dt><dd>${r.target.kind} ${r.target.device}, ${r.target.runtime}, ${r.target.threads} thread${r.target.threads === 1 ? '' : 's'}, ${r.target.cpu}</dd>
  <dt>Measured</dt><dd>${when(r.startedAt)} to ${when(r.finishedAt)}</dd>
</dl>
${layerProfileTable(r.profile)}
${deviceLayersTable(d.targetReport)}
<p><a href="/leaderboard/${d.track}">See the leaderboard of ${d.track}</a></p>`;
}

function failureBlock(d: SubmissionDetails): Html {
  const j = d.job;
  const infra = j.state === 'dead' || j.errorFault === 'infrastructure';
  return html`<div class="error" role="alert" id="failure">
<p><code>${j.lastErrorCode ?? 'LPCV_E_INTERNAL'}</code>: ${infra ? 'the infrastructure failed' : 'the submission failed'}.</p>
${infra ? html`<p>This is not your model's fault: it does not count against your quota${j.state === 'dead' ? ` (gave up after ${j.attempts} attempts)` : ''}.</p>` : ''}
<pre class="log">${j.lastErrorMessage ?? 'no message'}</pre>
${d.device ? html`<p>It ran on device <strong>${d.device.name}</strong> (${d.device.kind}, agent ${d.device.agent})${j.finishedAt !== null ? html`, failing at ${when(j.finishedAt)}` : ''}.</p>` : ''}
${d.logs !== null && d.logs.length > 0 ? html`<p><a href="#output">See its output</a>.</p>` : ''}
</div>`;
}

function streamBlock(name: string, log: StreamLog | null): Html {
  if (log === null) return html``;
  return html`<h4>${name}${log.truncated ? ' (its last 8 KiB only)' : ''}</h4>
${log.text === '' ? html`<p>Nothing.</p>` : html`<pre class="log" tabindex="0">${log.text}</pre>`}`;
}

/** The stdout/stderr tails each attempt's device reported (packages and board runs), unless the track hides them. */
function outputBlock(d: SubmissionDetails): Html {
  let content: Html;
  if (d.logs === null) content = html`<p id="logs-hidden">The organizers of this track do not show the runs' output to participants.</p>`;
  else if (d.logs.length === 0)
    content = html`<p>No output was reported. Solution packages and board commands report the end of their standard output and error; models run by the harness itself have none.</p>`;
  else {
    const hidden = d.logsHidden ? html`<p>This track hides the output from the team; you see it as an admin.</p>` : '';
    const attempts = d.logs.map(
      (l) => html`<h3>Attempt ${l.attempt} (reported ${when(l.at)})</h3>
${streamBlock('Standard error', l.stderr)}
${streamBlock('Standard output', l.stdout)}`,
    );
    content = html`${hidden}${attempts}`;
  }
  return html`<section aria-labelledby="output"><h2 id="output">Output</h2>
${content}</section>`;
}

function eventDetail(e: JobEvent): string {
  if (e.detail === null) return '';
  return Object.entries(e.detail)
    .map(
      ([k, v]) =>
        `${k}=${typeof v === 'number' && /(At|After)$/.test(k) && v > 1e12 ? new Date(v).toISOString() : typeof v === 'string' ? v : JSON.stringify(v)}`,
    )
    .join(' ')
    .slice(0, 500);
}

function logBlock(events: readonly JobEvent[]): Html {
  const rows = events.map(
    (e) => html`<tr><td>${when(e.at)}</td><td>${e.fromState ?? '—'} → ${e.toState}</td><td>${e.actor}</td><td><code>${eventDetail(e)}</code></td></tr>`,
  );
  return html`<h2>Log</h2>
<table><caption>Every state change of the job</caption>
<thead><tr><th scope="col">Time</th><th scope="col">Change</th><th scope="col">By</th><th scope="col">Detail</th></tr></thead>
<tbody>${rows}</tbody></table>`;
}

export function submissionPage(ctx: PageContext, d: SubmissionDetails, refresh: boolean, now: number): string {
  const status = statusOfJob(d.job.state);
  const pending = status === 'queued' || status === 'running';
  const j = d.job;
  let state: Html;
  if (status === 'queued') {
    const retry =
      j.runAfter > now
        ? html` It waits for a retry until ${when(j.runAfter)} (attempt ${j.attempts} of ${j.maxAttempts} failed for the infrastructure's reasons).`
        : '';
    state = html`<p id="queue">${d.queuePosition === null ? 'Queued.' : d.queuePosition === 0 ? 'Queued: it is next.' : `Queued: ${d.queuePosition} job${d.queuePosition === 1 ? '' : 's'} ahead of it.`}${retry}</p>`;
  } else if (status === 'running') state = progressBlock(d);
  else if (status === 'done') state = resultBlock(d);
  else state = failureBlock(d);
  const reload = pending
    ? refresh
      ? html`<p class="hint">This page reloads every ${STATUS_REFRESH_SECONDS} s. <a href="/submissions/${d.id}?refresh=off">Stop reloading</a></p>`
      : html`<p class="hint"><a href="/submissions/${d.id}">Reload</a></p>`
    : '';
  const body = html`<h1>Submission <code>${d.id}</code></h1>
<p class="status status-${status}" id="status">Status: ${status}</p>
${reload}
${state}
${d.selection === null ? '' : entrySelectionForm(ctx, { track: d.track, submissionId: d.id, selected: d.selection.selected })}
<h2>Submission</h2>
<dl class="facts">
  <dt>Track</dt><dd><a href="/leaderboard/${d.track}">${d.track}</a>, split ${d.split}</dd>
  <dt>Team</dt><dd>${d.baselineName !== null ? html`baseline <strong>${d.baselineName}</strong>` : d.team}</dd>
  <dt>File</dt><dd>${d.filename ?? '(no name)'}, ${bytesText(d.bytes)}, ${d.format} (<a href="/submissions/${d.id}/artifact" download>download it</a>)</dd>
  <dt>SHA-256</dt><dd><code>${d.sha256}</code></dd>
  <dt>Submitted</dt><dd>${when(d.createdAt)}</dd>
  <dt>Attempts</dt><dd>${j.attempts} of at most ${j.maxAttempts}</dd>
  ${d.description ? html`<dt>Description</dt><dd>${d.description}</dd>` : ''}
</dl>
${!pending || (d.logs?.length ?? 0) > 0 ? outputBlock(d) : ''}
${logBlock(d.events)}`;
  return renderPage(ctx, { title: `Submission ${d.id}`, body, ...(pending && refresh ? { refreshSeconds: STATUS_REFRESH_SECONDS } : {}) });
}

export function submissionsListPage(ctx: PageContext, list: readonly SubmissionSummary[]): string {
  const rows = list.map(
    (s) => html`<tr>
  <td><a href="/submissions/${s.id}"><code>${s.id}</code></a></td>
  <td>${s.track}</td>
  ${ctx.viewer.kind === 'admin' ? html`<td>${s.baselineName !== null ? `baseline ${s.baselineName}` : s.team}</td>` : ''}
  <td>${s.filename ?? ''}</td>
  <td>${statusOfJob(s.state)}${s.errorCode ? html` <code>${s.errorCode}</code>` : ''}</td>
  <td class="num">${scoreText(s.score)}</td>
  <td>${when(s.createdAt)}</td>
</tr>`,
  );
  const body = html`<h1>${ctx.viewer.kind === 'admin' ? 'All submissions' : 'Your submissions'}</h1>
${
  list.length === 0
    ? html`<p>None yet. <a href="/submit">Submit a model</a>.</p>`
    : html`<table>
<caption>Newest first (at most 200)</caption>
<thead><tr><th scope="col">Submission</th><th scope="col">Track</th>${ctx.viewer.kind === 'admin' ? html`<th scope="col">Team</th>` : ''}<th scope="col">File</th><th scope="col">Status</th><th scope="col" class="num">Score</th><th scope="col">Submitted</th></tr></thead>
<tbody>${rows}</tbody></table>`
}`;
  return renderPage(ctx, { title: 'Submissions', body });
}
