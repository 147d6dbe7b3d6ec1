import type { WebhookDelivery } from '../notify/index.js';
import { when } from './format.js';
import { html } from './html.js';
import { renderPage, type PageContext } from './layout.js';

/**
 * The admin's delivery log (/admin/notifications): the outbox's latest webhook and e-mail deliveries, newest
 * first, with their state, attempts, the last answer or error and when the next attempt is due.
 */
export function adminDeliveriesPage(ctx: PageContext, deliveries: readonly WebhookDelivery[], limit: number): string {
  const rows = deliveries.map((d) => {
    const next = d.state === 'queued' ? when(d.runAfter) : html`—`;
    const last = d.lastStatus !== null ? html`HTTP ${d.lastStatus}${d.lastError ? html`: ${d.lastError}` : ''}` : (d.lastError ?? '—');
    return html`<tr id="delivery-${d.id}"><th scope="row">${d.id}</th><td>${d.event}<br><code>${d.eventId}</code></td><td>${d.url}</td><td>${d.state}</td><td class="num">${d.attempts} of ${d.maxAttempts}</td><td>${last}</td><td>${when(d.createdAt)}</td><td>${d.state === 'delivered' ? when(d.deliveredAt) : next}</td></tr>`;
  });
  const body = html`<h1>Notifications</h1>
<p>Webhooks (signed POSTs) and e-mails, from the durable outbox: a failed delivery is retried with backoff and is dead after its last attempt (docs/webhooks.md). The same list as <code>GET /api/admin/webhooks/deliveries</code>.</p>
${
  deliveries.length === 0
    ? html`<p>No delivery yet: the competition bundle names no webhook, or nothing happened yet; e-mails need <code>--smtp-url</code>.</p>`
    : html`<table id="deliveries"><caption>The latest ${deliveries.length} (at most ${limit}), newest first</caption>
<thead><tr><th scope="col">Id</th><th scope="col">Event</th><th scope="col">To</th><th scope="col">State</th><th scope="col" class="num">Attempts</th><th scope="col">Last answer</th><th scope="col">Queued</th><th scope="col">Delivered or next</th></tr></thead>
<tbody>${rows}</tbody></table>`
}`;
  return renderPage(ctx, { title: 'Notifications', body });
}
