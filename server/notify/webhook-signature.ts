/**
 * Signing and checking webhook requests (docs/webhooks.md). The signature is an HMAC-SHA256 over
 * `<timestamp>.<body>` with the subscriber's secret, so a receiver can check both that the body came from us
 * unchanged and that the request is recent (a captured request replayed later fails the timestamp check).
 * Pure: no clock is read here.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** The event's name, e.g. `submission.done`. */
export const EVENT_HEADER = 'X-LPCV-Event';
/** The event's id: the same on every retry, so a receiver can drop a repeat. */
export const DELIVERY_HEADER = 'X-LPCV-Delivery';
/** Unix seconds when this attempt was signed. */
export const TIMESTAMP_HEADER = 'X-LPCV-Timestamp';
/** `sha256=<hex>`. */
export const SIGNATURE_HEADER = 'X-LPCV-Signature';

/** How old (or how far in the future) a signed timestamp may be by default: clocks drift, replays must not last. */
export const DEFAULT_TOLERANCE_SECONDS = 300;

const PREFIX = 'sha256=';

export function signWebhook(secret: string, timestampSeconds: number, body: string): string {
  return PREFIX + createHmac('sha256', secret).update(`${timestampSeconds}.${body}`).digest('hex');
}

export interface SignatureHeaders {
  /** The X-LPCV-Timestamp header as received. */
  readonly timestamp: string | undefined;
  /** The X-LPCV-Signature header as received. */
  readonly signature: string | undefined;
}

/**
 * True when `signature` is this secret's signature of `body` at `timestamp`, and `timestamp` is within
 * `toleranceSeconds` of `nowSeconds`. The comparison takes the same time wherever the strings differ.
 */
export function verifyWebhook(
  secret: string,
  headers: SignatureHeaders,
  body: string,
  nowSeconds: number,
  toleranceSeconds = DEFAULT_TOLERANCE_SECONDS,
): boolean {
  const { timestamp, signature } = headers;
  if (timestamp === undefined || signature === undefined || !/^\d{1,12}$/.test(timestamp)) return false;
  const ts = Number(timestamp);
  if (Math.abs(nowSeconds - ts) > toleranceSeconds) return false;
  const expected = Buffer.from(signWebhook(secret, ts, body));
  const given = Buffer.from(signature);
  // timingSafeEqual throws on different lengths; the length of a well-formed signature is no secret.
  return given.length === expected.length && timingSafeEqual(given, expected);
}
