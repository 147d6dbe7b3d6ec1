export { WEBHOOK_EVENTS, type WebhookEvent, type WebhookEventName, type WebhookSubscriber } from './webhook-events.js';
export {
  DEFAULT_TOLERANCE_SECONDS,
  DELIVERY_HEADER,
  EVENT_HEADER,
  SIGNATURE_HEADER,
  TIMESTAMP_HEADER,
  signWebhook,
  verifyWebhook,
  type SignatureHeaders,
} from './webhook-signature.js';
export {
  DEFAULT_WEBHOOK_MAX_ATTEMPTS,
  MAX_WEBHOOK_ERROR_CHARS,
  claimDueDeliveries,
  enqueueWebhookEvent,
  listWebhookDeliveries,
  markDead,
  markDelivered,
  markFailed,
  webhookBody,
  type DeliveryFailure,
  type EnqueueOptions,
  type WebhookDelivery,
  type WebhookDeliveryState,
} from './webhook-outbox.js';
export {
  DEFAULT_WEBHOOK_CONCURRENCY,
  DEFAULT_WEBHOOK_POLL_MS,
  DEFAULT_WEBHOOK_TIMEOUT_MS,
  WebhookDeliverer,
  type WebhookDelivererOptions,
} from './webhook-deliverer.js';
export { notifySubmissionOutcome, type EnqueueEvent } from './submission-outcome.js';
export { PHASE_EVENT_WINDOW_MS, notifyPhaseTransitions, phaseTransitions } from './phase-events.js';
export { MIN_WEBHOOK_SECRET_CHARS, webhookSubscribers } from './webhook-subscribers.js';
export { notifyDeviceEvents } from './device-events.js';
