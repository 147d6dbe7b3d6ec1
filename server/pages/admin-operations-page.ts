import type { Track } from '../../harness/tracks/track.js';
import type { AdminAuditEntry } from '../admin/index.js';
import { when } from './format.js';
import { html, type Html } from './html.js';
import { csrfField, renderPage, type PageContext } from './layout.js';

/** What an audit entry did, in a few words: its subject, how many jobs were re-queued and skipped. */
function auditSummary(e: AdminAuditEntry): Html {
  const d = e.detail;
  const count = (key: string): number => (Array.isArray(d[key]) ? (d[key] as unknown[]).length : 0);
  const subject =
    typeof d.submission === 'string'
      ? html`submission <a href="/submissions/${d.submission}"><code>${d.submission}</code></a>`
      : typeof d.track === 'string'
        ? html`track <code>${d.track}</code>${d.includeBaselines === true ? ' with baselines' : ''}`
        : e.action === 'rerun-dead'
          ? html`every track`
          : html``;
  const jobs = e.action === 'export' ? html`` : html`: ${count('requeued')} job(s) re-queued, ${count('skipped')} left as they were`;
  const reason = typeof d.reason === 'string' && d.reason !== '' ? html` <span class="hint">${d.reason}</span>` : '';
  return html`${subject}${jobs}${reason}`;
}

function trackOptions(tracks: readonly Track[]): Html[] {
  return tracks.map((t) => html`<option value="${t.name}">${t.title} — ${t.name}</option>`);
}

/**
 * The admin's operations page (/admin/operations): re-run one submission, the dead jobs, a track's entries
 * (each a form with the form token; the same functions as the API), the export's download link, and the
 * latest admin_audit entries.
 */
export function adminOperationsPage(ctx: PageContext, tracks: readonly Track[], audit: readonly AdminAuditEntry[]): string {
  const reasonField = (id: string): Html =>
    html`<label for="${id}">Reason<span class="hint">optional; kept in the audit log and in each job's history</span></label>
  <input type="text" id="${id}" name="reason" maxlength="1000">`;
  const rows = audit.map(
    (e) =>
      html`<tr id="audit-${e.id}"><th scope="row">${e.id}</th><td>${when(e.at)}</td><td>${e.actor}</td><td>${e.action}</td><td>${auditSummary(e)}</td></tr>`,
  );
  const body = html`<h1>Operations</h1>
<p>A re-run puts finished jobs (done, failed or dead) back in the queue with fresh attempts and deletes their old results; queued and
running jobs are left alone. It costs no team any quota. Every operation is recorded below.</p>
<h2 id="rerun-submission">Re-run a submission</h2>
<form method="post" action="/admin/operations/rerun-submission">
  ${csrfField(ctx)}
  <label for="submission">Submission id</label>
  <input type="text" id="submission" name="submission" required maxlength="64" autocomplete="off" spellcheck="false">
  ${reasonField('submission-reason')}
  <div class="actions"><button type="submit">Re-run the submission</button></div>
</form>
<h2 id="rerun-dead">Re-run the dead jobs</h2>
<form method="post" action="/admin/operations/rerun-dead">
  ${csrfField(ctx)}
  <label for="dead-track">Track</label>
  <select id="dead-track" name="track"><option value="">Every track</option>${trackOptions(tracks)}</select>
  ${reasonField('dead-reason')}
  <div class="actions"><button type="submit">Re-run the dead jobs</button></div>
</form>
<h2 id="rerun-track">Re-run every entry of a track</h2>
<form method="post" action="/admin/operations/rerun-track">
  ${csrfField(ctx)}
  <label for="track">Track</label>
  <select id="track" name="track" required>${trackOptions(tracks)}</select>
  <label for="include-baselines"><input type="checkbox" id="include-baselines" name="includeBaselines" value="1"> Include the baselines</label>
  ${reasonField('track-reason')}
  <div class="actions"><button type="submit">Re-run the track</button></div>
</form>
<h2 id="export">Export</h2>
<p><a href="/api/admin/export.zip" download>Download everything as one zip</a>: teams, submissions, jobs, results, job events and the audit logs as CSV and JSON, the competition bundle and every upload. The download is recorded below.</p>
<table id="audit">
<caption>The latest ${audit.length} operation${audit.length === 1 ? '' : 's'}</caption>
<thead><tr><th scope="col">#</th><th scope="col">When</th><th scope="col">Who</th><th scope="col">Operation</th><th scope="col">What</th></tr></thead>
<tbody>${rows}</tbody>
</table>`;
  return renderPage(ctx, { title: 'Operations', body });
}
