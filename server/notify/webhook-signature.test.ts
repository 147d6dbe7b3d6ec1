import { describe, expect, it } from 'vitest';
import { signWebhook, verifyWebhook } from './webhook-signature.js';

describe('webhook signatures', () => {
  const secret = 'whsec-test-0123456789';
  const body = '{"id":"submission.done:sub-1","event":"submission.done","at":"2027-01-15T08:00:00.000Z","data":{}}';
  const ts = 1_800_000_000;
  const headers = { timestamp: String(ts), signature: signWebhook(secret, ts, body) };

  it('is sha256=<hex HMAC-SHA256 of "<timestamp>.<body>">', () => {
    // Computed independently: printf '%s' "1800000000.$body" | openssl dgst -sha256 -hmac "$secret"
    expect(headers.signature).toBe('sha256=2ec9b51634a7bd4055ee7e2f81553b78fe26e87d1f970a6b2ebb037562f173bd');
    expect(signWebhook(secret, ts + 1, body)).not.toBe(headers.signature);
  });

  it('verifies with the right secret, body and a recent timestamp', () => {
    expect(verifyWebhook(secret, headers, body, ts)).toBe(true);
    expect(verifyWebhook(secret, headers, body, ts + 300)).toBe(true);
    expect(verifyWebhook(secret, headers, body, ts - 300)).toBe(true);
  });

  it('refuses a wrong secret, a tampered body, a tampered timestamp, a stale or future timestamp', () => {
    expect(verifyWebhook('another-secret', headers, body, ts)).toBe(false);
    expect(verifyWebhook(secret, headers, body.replace('sub-1', 'sub-2'), ts)).toBe(false);
    expect(verifyWebhook(secret, { ...headers, timestamp: String(ts + 1) }, body, ts)).toBe(false);
    expect(verifyWebhook(secret, headers, body, ts + 301)).toBe(false);
    expect(verifyWebhook(secret, headers, body, ts - 301)).toBe(false);
    expect(verifyWebhook(secret, headers, body, ts + 3600, 7200)).toBe(true);
  });

  it('refuses missing or malformed headers without throwing', () => {
    expect(verifyWebhook(secret, { timestamp: undefined, signature: headers.signature }, body, ts)).toBe(false);
    expect(verifyWebhook(secret, { timestamp: headers.timestamp, signature: undefined }, body, ts)).toBe(false);
    expect(verifyWebhook(secret, { timestamp: 'soon', signature: headers.signature }, body, ts)).toBe(false);
    expect(verifyWebhook(secret, { timestamp: headers.timestamp, signature: 'sha256=abc' }, body, ts)).toBe(false);
    expect(verifyWebhook(secret, { timestamp: headers.timestamp, signature: headers.signature.toUpperCase() }, body, ts)).toBe(false);
  });
});
