import type { DeviceHealth } from '../devices/index.js';
import { ms, when } from './format.js';
import { html, type Html } from './html.js';
import { csrfField, renderPage, type PageContext } from './layout.js';

export interface DevicesPageSettings {
  readonly offlineAfterMs: number;
  readonly driftPct: number;
  readonly referenceEveryMs: number | null;
}

function stateCell(d: DeviceHealth): Html {
  const drainedWhileAway = d.state === 'offline' && d.drainedAt !== null ? html` <span class="tag">drained</span>` : '';
  return html`<span class="tag state-${d.state}">${d.state}</span>${drainedWhileAway}`;
}

function jobCell(d: DeviceHealth): Html {
  const j = d.currentJob;
  if (j === null) return html`—`;
  const what = j.reference
    ? html`reference run of <a href="/submissions/${j.submissionId}"><code>${j.submissionId}</code></a>`
    : html`<a href="/submissions/${j.submissionId}"><code>${j.submissionId}</code></a>`;
  return html`job ${j.id}: ${what} on ${j.track}`;
}

function driftCell(d: DeviceHealth): Html {
  const drift = d.drift;
  if (drift === null) return html`<span class="hint">no reference run yet</span>`;
  const change = `${drift.changePct >= 0 ? '+' : ''}${drift.changePct.toFixed(1)}%`;
  const flag = drift.drifted ? html`<strong class="tag drifted">drifted</strong> ` : '';
  return html`${flag}${ms(drift.latestP50Ms)} vs ${ms(drift.referenceP50Ms)} (${change}; ${drift.baseline} on ${drift.track}, ${drift.runs} run${drift.runs === 1 ? '' : 's'})`;
}

function drainForm(ctx: PageContext, d: DeviceHealth): Html {
  const drained = d.drainedAt !== null;
  return html`<form method="post" action="/admin/devices/${d.id}/${drained ? 'undrain' : 'drain'}" class="inline">${csrfField(ctx)}<button type="submit" class="secondary">${drained ? 'Undrain' : 'Drain'}</button></form>`;
}

function row(ctx: PageContext, d: DeviceHealth): Html {
  return html`<tr id="device-${d.id}">
  <th scope="row">${d.name} <span class="hint">#${d.id}</span></th>
  <td>${d.kind}</td>
  <td>${d.agent}</td>
  <td>${stateCell(d)}</td>
  <td>${when(d.lastSeenAt)}</td>
  <td>${jobCell(d)}</td>
  <td>${driftCell(d)}</td>
  <td>${drainForm(ctx, d)}${d.drainedAt !== null ? html` <span class="hint">since ${when(d.drainedAt)} by ${d.drainedBy ?? 'admin'}</span>` : ''}</td>
</tr>`;
}

/** The admin's device list (/admin/devices): state, last sign of life, current job, drift, drain buttons. */
export function devicesPage(ctx: PageContext, devices: readonly DeviceHealth[], s: DevicesPageSettings): string {
  const reference =
    s.referenceEveryMs === null
      ? 'Reference runs are off (lpcv serve --reference-every-min N turns them on).'
      : `Each idle device runs its kind's reference baseline every ${Math.round(s.referenceEveryMs / 60_000)} min; a median ${s.driftPct}% or more away from its first is flagged drifted.`;
  const body = html`<h1>Devices</h1>
<p>A device is offline after ${Math.round(s.offlineAfterMs / 1000)} s without a sign of life (registration, lease request, heartbeat). A drained device finishes its job and leases nothing new. ${reference} <a href="/api/admin/devices">JSON</a></p>
<table id="devices">
<caption>${devices.length} device${devices.length === 1 ? '' : 's'}</caption>
<thead><tr><th scope="col">Device</th><th scope="col">Kind</th><th scope="col">Agent</th><th scope="col">State</th><th scope="col">Last seen</th><th scope="col">Current job</th><th scope="col">Reference latency</th><th scope="col">Drain</th></tr></thead>
<tbody>${devices.map((d) => row(ctx, d))}</tbody>
</table>`;
  return renderPage(ctx, { title: 'Devices', body });
}
