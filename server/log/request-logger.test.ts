/**
 * What a request's log line takes from the client: the X-Request-Id only when it is a plain short token (a
 * hostile one, with a newline or 1 KB of text, is replaced, never written to the log), and the URL with every
 * secret-looking query value redacted.
 */
import { Writable } from 'node:stream';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redactUrl, requestLogger } from './request-logger.js';
import { jsonLogger } from './server-logger.js';

describe('redactUrl', () => {
  it.each([
    ['/account/sign-in/link?token=abc123', '/account/sign-in/link?token=[redacted]'],
    ['/x?a=1&api_key=s3cr3t&b=2', '/x?a=1&api_key=[redacted]&b=2'],
    ['/x?Password=p&code=9&sig=z&auth=q', '/x?Password=[redacted]&code=[redacted]&sig=[redacted]&auth=[redacted]'],
    ['/x?%74oken=abc', '/x?%74oken=[redacted]'],
    ['/x?track=fashion-mnist&board=private', '/x?track=fashion-mnist&board=private'],
    ['/plain/path', '/plain/path'],
  ])('%s -> %s', (url, shown) => {
    expect(redactUrl(url)).toBe(shown);
  });
});

describe('the request id', () => {
  const lines: Record<string, unknown>[] = [];
  let server: Server;
  let url: string;
  beforeAll(async () => {
    const sink = new Writable({
      write(chunk: Buffer | string, _enc, done) {
        for (const l of String(chunk).split('\n')) if (l !== '') lines.push(JSON.parse(l) as Record<string, unknown>);
        done();
      },
    });
    const app = express().use(requestLogger(jsonLogger('info', sink)));
    app.get('/hello', (_req, res) => void res.send('hi'));
    server = await new Promise<Server>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hello`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it.each([
    ['a proxy-style id', 'req-7f3a.2:b', true],
    ['65 characters', 'a'.repeat(65), false],
    ['spaces and quotes', 'x" injected="1', false],
    ['markup', '<script>alert(1)</script>', false],
  ])('%s: kept only when plain', async (_what, given, kept) => {
    lines.length = 0;
    const res = await fetch(url, { headers: { 'x-request-id': given } });
    const answered = res.headers.get('x-request-id')!;
    expect(answered === given).toBe(kept);
    if (!kept) expect(answered).toMatch(/^[0-9a-f-]{36}$/);
    expect(lines.map((l) => l.reqId)).toEqual([answered]);
    if (!kept) expect(JSON.stringify(lines)).not.toContain(given);
  });
});
