/**
 * What server/notify sends: the event names a subscriber may choose, the subscriber as the server holds it
 * (with its secret, which lives in memory only: the database keeps URLs, never secrets), and one event.
 */
import { NOTIFICATION_EVENTS, type NotificationEvent } from '../../harness/competitions/notification-events.js';

/** One list for the bundle's schema and the sender: a subscription to a name not here is refused when the bundle is read. */
export const WEBHOOK_EVENTS: typeof NOTIFICATION_EVENTS = NOTIFICATION_EVENTS;

export type WebhookEventName = NotificationEvent;

export interface WebhookSubscriber {
  /** Where the POSTs go (http:// or https://). One delivery per event and URL. */
  readonly url: string;
  /** Signs every request to this URL (webhook-signature.ts). */
  readonly secret: string;
  /** The events this subscriber receives; others are never enqueued for it. */
  readonly events: readonly WebhookEventName[];
}

export interface WebhookEvent {
  /**
   * Unique per event, e.g. `submission.done:<submissionId>`: enqueueing the same id again adds nothing, so a
   * caller that retries (or two server processes that both notice a device go offline) sends it once.
   */
  readonly id: string;
  readonly name: WebhookEventName;
  /** When it happened, epoch ms. */
  readonly at: number;
  readonly data: Record<string, unknown>;
}
