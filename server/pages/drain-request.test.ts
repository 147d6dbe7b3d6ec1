import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { drainRequest } from './drain-request.js';

describe('drainRequest', () => {
  let server: Server | undefined;
  afterEach(() => new Promise<void>((resolve) => (server ? (server.closeAllConnections(), server.close(() => resolve())) : resolve())));

  /** A server that drains with the given bounds, then answers how many bytes the request had delivered. */
  async function start(maxBytes: number, maxMs: number): Promise<number> {
    server = createServer((req, res) => {
      let seen = 0;
      req.on('data', (c: Buffer) => (seen += c.length));
      void drainRequest(req, maxBytes, maxMs).then(() => res.setHeader('connection', 'close').end(JSON.stringify({ seen, complete: req.complete })));
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    return (server.address() as AddressInfo).port;
  }

  function send(port: number, chunks: number, chunkBytes: number, endless = false): Promise<{ seen: number; complete: boolean }> {
    return new Promise((resolve, reject) => {
      let answered = false;
      const req = request({ port, host: '127.0.0.1', method: 'POST', headers: endless ? {} : { 'content-length': String(chunks * chunkBytes) } }, (res) => {
        answered = true;
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => resolve(JSON.parse(text) as { seen: number; complete: boolean }));
      });
      // Once the answer is in, the server closes the connection: writes after that may fail, harmlessly.
      req.on('error', (e) => (answered ? undefined : reject(e)));
      let sent = 0;
      const pump = (): void => {
        while (!answered && (endless || sent < chunks)) {
          sent++;
          if (!req.write(Buffer.alloc(chunkBytes, 1))) return void req.once('drain', pump);
        }
        req.end();
      };
      pump();
    });
  }

  it('reads a body to its end when it is within the bounds', async () => {
    const port = await start(1_000_000, 10_000);
    expect(await send(port, 10, 10_000)).toEqual({ seen: 100_000, complete: true });
  });

  it('stops after maxBytes of a body that never ends', async () => {
    const port = await start(200_000, 30_000);
    const { seen, complete } = await send(port, 0, 16_384, true);
    expect(complete).toBe(false);
    expect(seen).toBeGreaterThan(200_000);
    expect(seen).toBeLessThan(200_000 + 1_000_000);
  });
});
