import type { Track } from '../../harness/tracks/track.js';
import { AIHUB_JOB_FIELD, MAX_DESCRIPTION_BYTES } from '../submissions/receive-submission-form.js';
import { html, type Html } from './html.js';
import { bytesText } from './format.js';
import { csrfField, renderPage, type PageContext } from './layout.js';

export interface SubmitFormState {
  readonly track?: string;
  readonly description?: string;
  readonly error?: { readonly code: string; readonly message: string };
}

/** What the team has used of its daily quota, per track (null: unlimited). */
export type QuotaUse = ReadonlyMap<string, { used: number; limit: number | null }>;

const ACCEPT: Record<string, string> = { onnx: '.onnx', tflite: '.tflite', solution: '.zip,.pyz', 'aihub-job': '.json' };

/**
 * The submission form. Its fields come in the order the server needs them: the form token, the team token
 * (when not logged in), the track, the description, and the file last (the server checks the first ones
 * before it reads a byte of the file). A refused upload shows the form again with the error, the chosen
 * track and the description kept. When some track takes AI Hub compile jobs, an id field comes before the
 * file: a team fills in one or the other (no script can tell which is needed, so neither is `required`; the
 * server refuses both or neither with a form error).
 */
export function submitPage(ctx: PageContext, tracks: readonly Track[], state: SubmitFormState, quota?: QuotaUse): string {
  const v = ctx.viewer;
  const chosen = state.track ?? tracks[0]?.name;
  const options = tracks.map((t) => {
    const q = quota?.get(t.name);
    const left = q === undefined ? '' : q.limit === null ? ' (no daily limit)' : ` (${Math.max(0, q.limit - q.used)} of ${q.limit} left today)`;
    return html`<option value="${t.name}"${t.name === chosen ? html` selected` : ''}>${t.title} — ${t.name}${left}</option>`;
  });
  const accept = [...new Set(tracks.flatMap((t) => t.formats.map((f) => ACCEPT[f] ?? '')))].filter(Boolean).join(',');
  const limits = tracks.map((t) => html`<li><code>${t.name}</code>: ${t.formats.join(', ')}, at most ${bytesText(t.limits.maxArtifactBytes)}</li>`);
  const jobTracks = tracks.filter((t) => t.formats.includes('aihub-job')).map((t) => t.name);
  const body = html`<h1>Submit a model</h1>
${state.error ? html`<div class="error" role="alert" id="submit-error"><p><code>${state.error.code}</code>: ${state.error.message}</p><p>Nothing was stored; choose the file${jobTracks.length === 0 ? '' : ' (or type the job id)'} again and resend.</p></div>` : ''}
${v.kind === 'team' ? html`<p>Submitting as team <strong>${v.teamName}</strong>.</p>` : html`<p>Paste your team token below, or <a href="/login?next=/submit">log in</a> first.${v.kind === 'admin' ? ' (The admin token is not a team: baselines come from the track files.)' : ''}</p>`}
<form method="post" action="/submit" enctype="multipart/form-data">
  ${csrfField(ctx)}
  ${
    v.kind === 'team'
      ? ''
      : html`<label for="token">Team token<span class="hint">lpcv_team_...; it logs this browser in for 12 hours</span></label>
  <input type="password" id="token" name="token" required autocomplete="off" spellcheck="false">`
  }
  <label for="track">Track</label>
  <select id="track" name="track" required>${options}</select>
  <label for="description">Description<span class="hint">optional, at most ${MAX_DESCRIPTION_BYTES} bytes: what this model is</span></label>
  <textarea id="description" name="description" maxlength="${MAX_DESCRIPTION_BYTES}">${state.description ?? ''}</textarea>
  ${jobTracks.length === 0 ? '' : aihubJobInput(jobTracks)}
  <label for="file">Model file${jobTracks.length === 0 ? '' : html`<span class="hint">or leave empty and give an AI Hub compile job id above</span>`}</label>
  <input type="file" id="file" name="file"${jobTracks.length === 0 ? html` required` : ''}${accept ? html` accept="${accept}"` : ''} aria-describedby="file-hint">
  <div class="hint" id="file-hint">Accepted: <ul>${limits}</ul></div>
  <div class="actions"><button type="submit">Submit</button></div>
</form>
<p>The model is checked against the track (as <code>lpcv validate</code> does) before it is queued; a model that
does not fit is refused at once and does not use your quota.</p>`;
  return renderPage(ctx, { title: 'Submit a model', body });
}

/** The AI Hub compile job id: instead of a file, on the tracks named (docs/tracks.md, format `aihub-job`). */
function aihubJobInput(jobTracks: readonly string[]): Html {
  return html`<label for="${AIHUB_JOB_FIELD}">AI Hub compile job id<span class="hint">instead of a file, on ${jobTracks.join(', ')}</span></label>
  <input type="text" id="${AIHUB_JOB_FIELD}" name="${AIHUB_JOB_FIELD}" pattern="j[a-z0-9]{8}" maxlength="9" autocomplete="off" spellcheck="false" aria-describedby="${AIHUB_JOB_FIELD}-hint">
  <div class="hint" id="${AIHUB_JOB_FIELD}-hint">The id of a compile job you shared with the organizers on Qualcomm AI Hub: "j" and 8 lower-case letters or digits, e.g. jgdx8v3p5. Leave it empty to send a file.</div>`;
}
