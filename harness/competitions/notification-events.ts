/**
 * The events a competition's webhooks may subscribe to (docs/webhooks.md). The bundle's schema checks
 * subscriptions against this list; server/notify sends them.
 */
export const NOTIFICATION_EVENTS = ['submission.done', 'submission.failed', 'device.offline', 'device.drift', 'phase.opened', 'phase.closed'] as const;

export type NotificationEvent = (typeof NOTIFICATION_EVENTS)[number];
